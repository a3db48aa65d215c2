import {
  generateToken,
  hashToken,
  isAcceptableLegacyKey,
  KeywardError,
  newId,
  type PolicyAction,
  type RoleId,
  type Scope,
  type ServiceAccountId,
  type TokenId,
  tokenHint,
  type UserId,
} from '@keyward/core';
import type { Project, RateLimitPolicy, Repositories, Token, TokenKind, TokenPatch } from '@keyward/storage';
import type { FastifyRequest } from 'fastify';
import type { Deps, Principal } from '../types.ts';
import { diff } from './audit-log.ts';
import { authorize, ownerRights, policyContext, tokenTarget } from './policy.ts';
import { markRotated } from './reminders.ts';
import { type ExpiryInput, resolveExpiry } from './token-expiry.ts';
import { grantedScopes, ownerFor } from './token-grant.ts';
import { userRights } from './user-rights.ts';
import { recordEvent, tokenEventData } from './webhook-events.ts';

export type IssueInput = {
  name: string;
  description?: string;
  scopes?: Scope[];
  roleId?: RoleId | null;
  serviceAccountId?: ServiceAccountId;
  rateLimits?: RateLimitPolicy[];
  kind?: TokenKind;
  allowedIps?: string[];
  metadata?: Record<string, unknown>;
  /** An existing key to store (import); a new secret is generated otherwise. */
  importedSecret?: string;
} & ExpiryInput;

export function createTokenService(deps: Deps) {
  const { storage, now, verifier, audit } = deps;

  async function projectOf(principal: Principal, repos: Repositories = storage): Promise<Project> {
    const project = await repos.projects.get(principal.projectId);
    if (!project) throw new KeywardError('NOT_FOUND', 'No such project');
    return project;
  }

  const actionOf = (input: IssueInput) =>
    input.kind === 'personal'
      ? 'token.regenerate_personal'
      : input.importedSecret
        ? 'token.import'
        : 'token.create';

  /** Creates one token once the policy allows it; pass `repos` to make it part of a caller's transaction. */
  function issue(
    request: FastifyRequest,
    principal: Principal,
    input: IssueInput,
    repos?: Repositories,
    beforeCreate: (repos: Repositories) => Promise<void> = async () => {},
  ) {
    // The token and its `token.created` event commit together (the webhook outbox).
    if (repos === undefined)
      return storage.transaction((tx) => issueIn(request, principal, input, tx, beforeCreate));
    return issueIn(request, principal, input, repos, beforeCreate);
  }

  async function issueIn(
    request: FastifyRequest,
    principal: Principal,
    input: IssueInput,
    repos: Repositories,
    beforeCreate: (repos: Repositories) => Promise<void>,
  ) {
    const project = await projectOf(principal, repos);
    const at = now();
    const { roleId, scopes } = await grantedScopes(repos, principal, input.roleId, input.scopes);
    const owner = await ownerFor(repos, principal, input.serviceAccountId);
    const expiresAt = resolveExpiry(project, input, at);
    const ownerScopes = await ownerRights(repos, project.id, owner);
    const target = { kind: 'token', tokenId: null, ...owner, scopes, ownerScopes, expiresAt } as const;
    authorize(principal, actionOf(input), target, policyContext(project, at));
    await beforeCreate(repos);
    const secret = input.importedSecret ?? generateToken(project.tokenPrefix);
    const token = await repos.tokens.create(
      {
        id: newId('token', at),
        projectId: project.id,
        ...owner,
        kind: input.kind ?? 'standard',
        name: input.name,
        description: input.description ?? '',
        roleId,
        scopes,
        prefix: input.importedSecret ? 'imported' : project.tokenPrefix,
        hint: tokenHint(secret),
        rateLimits: input.rateLimits ?? [],
        allowedIps: input.allowedIps ?? [],
        metadata: input.metadata ?? {},
        expiresAt,
        createdBy: principal.ownerId,
        createdAt: at,
      },
      {
        hash: hashToken(secret, deps.peppers.current),
        hashVersion: deps.peppers.current.version,
        createdAt: at,
        expiresAt: null,
      },
    );
    if (input.importedSecret) verifier.setAcceptsLegacyKeys(true);
    await audit.record(
      request,
      {
        action: input.importedSecret ? 'token.imported' : 'token.created',
        projectId: project.id,
        targetType: 'token',
        targetId: token.id,
        changes: {
          name: { after: token.name },
          scopes: { after: token.scopes },
          role_id: { after: roleId },
          expires_at: { after: token.expiresAt },
        },
      },
      repos,
    );
    await recordEvent(
      repos,
      project.id,
      'token.created',
      { ...tokenEventData(token), kind: token.kind, scopes: token.scopes, role_id: roleId },
      at,
    );
    return { token, secret };
  }

  async function load(principal: Principal, id: TokenId): Promise<Token> {
    const token = await storage.tokens.get(principal.projectId, id);
    if (!token) throw new KeywardError('NOT_FOUND', 'No such token');
    return token;
  }

  /** Loads a token and asks the policy whether the caller may do `action` to it as it is now. */
  async function loadFor(principal: Principal, id: TokenId, action: PolicyAction) {
    const token = await load(principal, id);
    const project = await projectOf(principal);
    const target = await tokenTarget(storage, token);
    const context = policyContext(project, now());
    authorize(principal, action, target, context);
    return { token, project, target, context };
  }

  async function update(
    request: FastifyRequest,
    principal: Principal,
    id: TokenId,
    input: {
      name?: string;
      description?: string;
      scopes?: Scope[];
      roleId?: RoleId | null;
      rateLimits?: RateLimitPolicy[];
      allowedIps?: string[];
      metadata?: Record<string, unknown>;
    } & ExpiryInput,
  ) {
    const { token: before, project, target, context } = await loadFor(principal, id, 'token.update');
    if (before.revokedAt !== null) throw new KeywardError('CONFLICT', 'A revoked token cannot be changed');
    const patch: TokenPatch = {};
    if (input.name !== undefined) patch.name = input.name;
    if (input.description !== undefined) patch.description = input.description;
    if (input.rateLimits !== undefined) patch.rateLimits = input.rateLimits;
    if (input.allowedIps !== undefined) patch.allowedIps = input.allowedIps;
    if (input.metadata !== undefined) patch.metadata = input.metadata;
    if (input.scopes !== undefined || input.roleId !== undefined) {
      const granted = await grantedScopes(
        storage,
        principal,
        input.roleId,
        input.scopes ?? (input.roleId ? undefined : before.scopes),
      );
      authorize(principal, 'token.update', { ...target, scopes: granted.scopes }, context);
      patch.roleId = granted.roleId;
      patch.scopes = granted.scopes;
    }
    if (input.expiresAt !== undefined || input.expiresInSeconds !== undefined) {
      patch.expiresAt = resolveExpiry(project, input, context.now);
      const later =
        before.expiresAt !== null && (patch.expiresAt === null || patch.expiresAt > before.expiresAt);
      const scopes = patch.scopes ?? target.scopes;
      if (later)
        authorize(
          principal,
          'token.extend_expiry',
          { ...target, scopes, expiresAt: patch.expiresAt },
          context,
        );
    }
    const at = now();
    const after = await storage.transaction(async (tx) => {
      const changed = await tx.tokens.update(principal.projectId, id, patch, at);
      if (!changed) throw new KeywardError('NOT_FOUND', 'No such token');
      await verifier.invalidate({ tokenId: id }, tx);
      const changes = diff(before, changed);
      await audit.record(
        request,
        {
          action: 'token.updated',
          projectId: principal.projectId,
          targetType: 'token',
          targetId: id,
          changes,
        },
        tx,
      );
      const fields = Object.keys(changes).filter((key) => key !== 'updatedAt');
      await recordEvent(tx, principal.projectId, 'token.updated', { ...tokenEventData(changed), fields }, at);
      return changed;
    });
    return after;
  }

  async function revoke(request: FastifyRequest, principal: Principal, id: TokenId, reason: string | null) {
    await loadFor(principal, id, 'token.revoke');
    const at = now();
    const token = await storage.transaction(async (tx) => {
      const revoked = await tx.tokens.revoke(principal.projectId, id, reason, at);
      if (!revoked) return null;
      await verifier.invalidate({ tokenId: id }, tx);
      await audit.record(
        request,
        {
          action: 'token.revoked',
          projectId: principal.projectId,
          targetType: 'token',
          targetId: id,
          changes: { revoked_at: { after: revoked.revokedAt }, revoked_reason: { after: reason } },
        },
        tx,
      );
      await recordEvent(tx, principal.projectId, 'token.revoked', { ...tokenEventData(revoked), reason }, at);
      return revoked;
    });
    if (!token) throw new KeywardError('CONFLICT', 'The token is already revoked');
    return token;
  }

  async function rotate(request: FastifyRequest, principal: Principal, id: TokenId, graceSeconds: number) {
    const { token: before, project, context } = await loadFor(principal, id, 'token.rotate');
    const at = context.now;
    const secret = generateToken(project.tokenPrefix);
    const token = await storage.transaction(async (tx) => {
      const rotated = await tx.tokens.rotate(
        principal.projectId,
        id,
        {
          hash: hashToken(secret, deps.peppers.current),
          hashVersion: deps.peppers.current.version,
          createdAt: at,
          expiresAt: null,
        },
        at + graceSeconds * 1000,
        tokenHint(secret),
        at,
      );
      if (!rotated) return null;
      await verifier.invalidate({ tokenId: id }, tx);
      await markRotated(tx, rotated, at);
      await audit.record(
        request,
        {
          action: 'token.rotated',
          projectId: principal.projectId,
          targetType: 'token',
          targetId: id,
          changes: {
            hint: { before: before.hint, after: rotated.hint },
            grace_period_seconds: { after: graceSeconds },
          },
        },
        tx,
      );
      await recordEvent(
        tx,
        principal.projectId,
        'token.rotated',
        { ...tokenEventData(rotated), previous_hint: before.hint, grace_period_seconds: graceSeconds },
        at,
      );
      return rotated;
    });
    if (!token) throw new KeywardError('TOKEN_NOT_ROTATABLE');
    return { token, secret };
  }

  async function setDisabled(request: FastifyRequest, principal: Principal, id: TokenId, disabled: boolean) {
    await loadFor(principal, id, disabled ? 'token.disable' : 'token.enable');
    const at = now();
    const token = await storage.transaction(async (tx) => {
      const changed = await tx.tokens.setDisabled(principal.projectId, id, disabled, at);
      if (!changed) return null;
      await verifier.invalidate({ tokenId: id }, tx);
      await audit.record(
        request,
        {
          action: disabled ? 'token.disabled' : 'token.enabled',
          projectId: principal.projectId,
          targetType: 'token',
          targetId: id,
          changes: { disabled_at: { after: changed.disabledAt } },
        },
        tx,
      );
      const type = disabled ? 'token.disabled' : 'token.enabled';
      await recordEvent(tx, principal.projectId, type, tokenEventData(changed), at);
      return changed;
    });
    if (!token) throw new KeywardError('CONFLICT', 'A revoked token cannot be disabled or enabled');
    return token;
  }

  /**
   * The API Access key: one personal key per user and project, holding the user's rights; the
   * policy decides before the previous key is revoked, and both happen in one transaction.
   */
  async function regeneratePersonal(request: FastifyRequest, principal: Principal) {
    const userId = principal.ownerId as UserId;
    const rights =
      principal.ownerType === 'user' ? await userRights(storage, userId, principal.projectId) : [];
    return storage.transaction(async (tx) => {
      const input: IssueInput = { name: 'Personal API key', kind: 'personal', scopes: rights ?? [] };
      return issue(request, principal, input, tx, async (repos) => {
        const previous = await repos.tokens.findPersonal(principal.projectId, userId);
        if (!previous) return;
        const revoked = await repos.tokens.revoke(principal.projectId, previous.id, 'regenerated', now());
        if (revoked) await verifier.invalidate({ tokenId: previous.id }, repos);
        if (revoked)
          await recordEvent(
            repos,
            principal.projectId,
            'token.revoked',
            { ...tokenEventData(revoked), reason: 'regenerated' },
            now(),
          );
        await audit.record(
          request,
          {
            action: 'token.revoked',
            projectId: principal.projectId,
            targetType: 'token',
            targetId: previous.id,
            changes: { revoked_reason: { after: 'regenerated' } },
          },
          repos,
        );
      });
    });
  }

  function checkImportable(key: string): void {
    if (!isAcceptableLegacyKey(key)) {
      throw new KeywardError('VALIDATION_FAILED', 'Imported keys must be 16 to 512 printable characters');
    }
  }

  return { issue, load, loadFor, update, revoke, rotate, setDisabled, regeneratePersonal, checkImportable };
}

export type TokenService = ReturnType<typeof createTokenService>;
