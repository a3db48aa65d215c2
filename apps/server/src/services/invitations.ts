import {
  type AccountClaim,
  candidateHashes,
  DEFAULT_INVITATION_LIFETIME_SECONDS,
  decideRedemption,
  EMAIL_REDEEM_WINDOW_SECONDS,
  generateInvitationCode,
  hashToken,
  type InvitationId,
  invitationStatus,
  KeywardError,
  newId,
  type UserId,
} from '@keyward/core';
import type { Invitation, Role } from '@keyward/storage';
import argon2 from 'argon2';
import type { FastifyRequest } from 'fastify';
import { DUMMY_HASH } from '../routes/session/login.ts';
import type { Deps, Principal } from '../types.ts';
import { hashPassword } from './bootstrap.ts';
import { recordEvent } from './webhook-events.ts';

export type NewInvitationInput = { email: string; role: Role; lifetimeSeconds?: number };

/**
 * Creates an invitation and returns its code, the only time it exists outside the invitee's hands.
 * The answer is the same whether or not the email has an account anywhere: only membership of this
 * project (which the caller can see anyway) is refused. An open invitation for the same email is
 * replaced, so one email never holds two codes to the same project.
 */
export async function createInvitation(
  deps: Deps,
  request: FastifyRequest,
  p: Principal,
  input: NewInvitationInput,
) {
  const user = await deps.storage.users.getByEmail(input.email);
  if (user && (await deps.storage.members.get(p.projectId, user.id))) {
    throw new KeywardError('CONFLICT', 'This email is already a member of the project');
  }
  const now = deps.now();
  const code = generateInvitationCode();
  const invitation = await deps.storage.transaction(async (tx) => {
    const replaced = await tx.invitations.revokeOpenForEmail(p.projectId, input.email, now);
    const created = await tx.invitations.create({
      id: newId('invitation', now),
      projectId: p.projectId,
      email: input.email,
      roleId: input.role.id,
      codeHash: hashToken(code, deps.peppers.current),
      hashVersion: deps.peppers.current.version,
      createdBy: p.ownerId,
      createdAt: now,
      expiresAt: now + (input.lifetimeSeconds ?? DEFAULT_INVITATION_LIFETIME_SECONDS) * 1000,
    });
    await deps.audit.record(
      request,
      {
        action: 'invitation.created',
        projectId: p.projectId,
        targetType: 'invitation',
        targetId: created.id,
        changes: {
          email: { after: created.email },
          role: { after: input.role.name },
          ...(replaced.length > 0 ? { replaced: { before: replaced } } : {}),
        },
      },
      tx,
    );
    await recordEvent(
      tx,
      p.projectId,
      'member.invited',
      {
        invitation_id: created.id,
        email: created.email,
        role_id: input.role.id,
        role: input.role.name,
        expires_at: new Date(created.expiresAt).toISOString(),
      },
      now,
    );
    return created;
  });
  return { invitation, code };
}

/** An invitation found by its code, still open; unknown codes count as failed authentications. */
async function openInvitation(deps: Deps, request: FastifyRequest, code: string): Promise<Invitation> {
  await deps.rateLimits.assertAddressNotBlocked(request.ip);
  const found = await deps.storage.invitations.findByCodeHashes(
    candidateHashes(code, deps.peppers).map((h) => h.hash),
  );
  if (!found || invitationStatus(found, deps.now()) !== 'pending') {
    await deps.rateLimits.recordFailure(request.ip);
    throw new KeywardError('INVITATION_INVALID');
  }
  return found;
}

/** What the invitation page shows before the invitee decides; nothing about any account. */
export async function describeInvitation(deps: Deps, request: FastifyRequest, code: string) {
  const invitation = await openInvitation(deps, request, code);
  const [project, role] = await Promise.all([
    deps.storage.projects.get(invitation.projectId),
    deps.storage.roles.get(invitation.projectId, invitation.roleId),
  ]);
  if (!project || !role) throw new KeywardError('INVITATION_INVALID');
  return { invitation, project, role };
}

export type RedeemInput = { code: string; account: AccountClaim; password: string; name?: string };

const CREDENTIALS_DETAIL =
  "Sign in with the password of the email's existing account, or choose a password if it has none";

/**
 * Joining needs the code and control of the account: the existing account's own password, or a
 * new account when the email has none. A password is never replaced here.
 */
export async function redeemInvitation(deps: Deps, request: FastifyRequest, input: RedeemInput) {
  if (input.account === 'new' && input.password.length < 12) {
    throw new KeywardError('VALIDATION_FAILED', 'A new password needs at least 12 characters');
  }
  const invitation = await openInvitation(deps, request, input.code);
  const now = deps.now();
  const [user, recentEmailFailures] = await Promise.all([
    deps.storage.users.getByEmail(invitation.email),
    deps.storage.invitations.failuresForEmail(invitation.email, now - EMAIL_REDEEM_WINDOW_SECONDS * 1000),
  ]);
  // Both branches spend one argon2 verification, so the answer time does not tell them apart.
  const passwordOk = await argon2
    .verify(input.account === 'existing' ? (user?.passwordHash ?? DUMMY_HASH) : DUMMY_HASH, input.password)
    .catch(() => false);
  const decision = decideRedemption({
    recentEmailFailures,
    invitation,
    now,
    claim: input.account,
    account: user ? { active: user.active, passwordOk: passwordOk && user.passwordHash !== null } : null,
    alreadyMember: user ? (await deps.storage.members.get(invitation.projectId, user.id)) !== null : false,
  });
  if (!decision.ok) {
    if (decision.countsAsFailure) {
      await deps.storage.invitations.recordFailure(invitation.id);
      await deps.audit.record(request, {
        action: 'invitation.redeem_failed',
        projectId: invitation.projectId,
        targetType: 'invitation',
        targetId: invitation.id,
        actor: { type: 'anonymous', id: null },
      });
      await deps.rateLimits.recordFailure(request.ip);
    }
    if (decision.code === 'RATE_LIMITED') {
      throw new KeywardError('RATE_LIMITED', 'Too many failed redemptions for this email; try again later', {
        retry_after: 3600,
      });
    }
    const detail = decision.code === 'INVALID_CREDENTIALS' ? CREDENTIALS_DETAIL : undefined;
    throw new KeywardError(decision.code, detail);
  }
  const passwordHash = decision.action === 'create-account' ? await hashPassword(input.password) : null;
  return deps.storage.transaction(async (tx) => {
    const now = deps.now();
    const userId: UserId = user?.id ?? newId('user', now);
    // Guarded: of two redemptions racing with one code, only one passes.
    if (!(await tx.invitations.markRedeemed(invitation.id, userId, now))) {
      throw new KeywardError('INVITATION_INVALID');
    }
    const member =
      user ??
      (await tx.users.create({
        id: userId,
        email: invitation.email,
        name: input.name ?? invitation.email,
        passwordHash,
        active: true,
        instanceAdmin: false,
        rateLimits: [],
        createdAt: now,
      }));
    if (await tx.members.get(invitation.projectId, member.id)) {
      throw new KeywardError('CONFLICT', 'You are already a member of this project');
    }
    await tx.members.put({
      projectId: invitation.projectId,
      userId: member.id,
      roleId: invitation.roleId,
      createdAt: now,
    });
    const actor = { type: 'user' as const, id: member.id };
    await deps.audit.record(
      request,
      {
        action: 'invitation.redeemed',
        projectId: invitation.projectId,
        targetType: 'invitation',
        targetId: invitation.id,
        actor,
        changes: { account: { after: decision.action === 'create-account' ? 'created' : 'existing' } },
      },
      tx,
    );
    await recordEvent(
      tx,
      invitation.projectId,
      'member.joined',
      {
        user_id: member.id,
        email: member.email,
        role_id: invitation.roleId,
        via: 'invitation',
        invitation_id: invitation.id,
      },
      now,
    );
    return { invitation, user: member };
  });
}

export async function revokeInvitation(deps: Deps, request: FastifyRequest, p: Principal, id: InvitationId) {
  const revoked = await deps.storage.invitations.revoke(p.projectId, id, deps.now());
  if (!revoked) throw new KeywardError('NOT_FOUND', 'No such open invitation');
  await deps.audit.record(request, {
    action: 'invitation.revoked',
    projectId: p.projectId,
    targetType: 'invitation',
    targetId: id,
    changes: { email: { before: revoked.email } },
  });
  return revoked;
}
