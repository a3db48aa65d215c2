import {
  generateToken,
  hashToken,
  isAcceptableLegacyKey,
  KeywardError,
  missingScopes,
  newId,
  normalizeScopes,
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

export type ExpiryInput = { expiresInSeconds?: number; expiresAt?: string | null };

export type IssueInput = {
  name: string;
  description?: string;
  scopes?: Scope[];
  roleId?: RoleId | null;
  serviceAccountId?: ServiceAccountId;
  rateLimits?: RateLimitPolicy[];
  kind?: TokenKind;
  /** An existing key to store (import); a new secret is generated otherwise. */
  importedSecret?: string;
} & ExpiryInput;

/** A caller can never hand out rights it does not hold itself. */
export function assertWithinRights(principal: Principal, scopes: readonly Scope[]): void {
  const beyond = missingScopes(principal.scopes, scopes);
  if (beyond.length > 0) {
    throw new KeywardError('SCOPE_ESCALATION', `You do not hold ${beyond.join(', ')}`, {
      missing_scopes: beyond,
    });
  }
}

export function createTokenService(deps: Deps) {
  const { storage, now, verifier, audit } = deps;

  async function projectOf(principal: Principal, repos: Repositories = storage): Promise<Project> {
    const project = await repos.projects.get(principal.projectId);
    if (!project) throw new KeywardError('NOT_FOUND', 'No such project');
    return project;
  }

  function resolveExpiry(project: Project, input: ExpiryInput, at: number): number | null {
    let expiresAt: number | null;
    if (input.expiresInSeconds !== undefined) expiresAt = at + input.expiresInSeconds * 1000;
    else if (input.expiresAt === null) expiresAt = null;
    else if (input.expiresAt !== undefined) expiresAt = Date.parse(input.expiresAt);
    else {
      const lifetime = project.settings.defaultTokenLifetimeSeconds;
      expiresAt = lifetime === null ? null : at + lifetime * 1000;
    }
    if (expiresAt !== null && (!Number.isFinite(expiresAt) || expiresAt <= at)) {
      throw new KeywardError('VALIDATION_FAILED', 'The expiry must be in the future');
    }
    const max = project.settings.maxTokenLifetimeSeconds;
    if (max !== null && (expiresAt === null || expiresAt > at + max * 1000)) {
      throw new KeywardError('VALIDATION_FAILED', `Tokens of this project must expire within ${max} seconds`);
    }
    return expiresAt;
  }

  /** The scopes a token will hold: its role's, or the ones asked for; never beyond the caller. */
  async function grantedScopes(
    principal: Principal,
    roleId: RoleId | null | undefined,
    scopes: Scope[] | undefined,
    repos: Repositories = storage,
  ) {
    if (roleId) {
      const role = await repos.roles.get(principal.projectId, roleId);
      if (!role) throw new KeywardError('NOT_FOUND', 'No such role');
      assertWithinRights(principal, role.scopes);
      return { roleId: role.id, scopes: role.scopes };
    }
    const wanted = normalizeScopes(scopes ?? []);
    assertWithinRights(principal, wanted);
    return { roleId: null, scopes: wanted };
  }

  async function ownerFor(
    principal: Principal,
    serviceAccountId: ServiceAccountId | undefined,
    repos: Repositories,
  ) {
    if (serviceAccountId) {
      const account = await repos.serviceAccounts.get(principal.projectId, serviceAccountId);
      if (!account) throw new KeywardError('NOT_FOUND', 'No such service account');
      return { ownerType: 'service_account' as const, ownerId: account.id };
    }
    return { ownerType: principal.ownerType, ownerId: principal.ownerId as UserId | ServiceAccountId };
  }

  /** Creates one token; pass `repos` to make it part of a caller's transaction. */
  async function issue(
    request: FastifyRequest,
    principal: Principal,
    input: IssueInput,
    repos: Repositories = storage,
  ) {
    const project = await projectOf(principal, repos);
    const at = now();
    const { roleId, scopes } = await grantedScopes(principal, input.roleId, input.scopes, repos);
    const owner = await ownerFor(principal, input.serviceAccountId, repos);
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
        expiresAt: resolveExpiry(project, input, at),
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
    return { token, secret };
  }

  async function load(principal: Principal, id: TokenId): Promise<Token> {
    const token = await storage.tokens.get(principal.projectId, id);
    if (!token) throw new KeywardError('NOT_FOUND', 'No such token');
    return token;
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
    } & ExpiryInput,
  ) {
    const before = await load(principal, id);
    if (before.revokedAt !== null) throw new KeywardError('CONFLICT', 'A revoked token cannot be changed');
    const patch: TokenPatch = {};
    if (input.name !== undefined) patch.name = input.name;
    if (input.description !== undefined) patch.description = input.description;
    if (input.rateLimits !== undefined) patch.rateLimits = input.rateLimits;
    if (input.scopes !== undefined || input.roleId !== undefined) {
      const granted = await grantedScopes(
        principal,
        input.roleId,
        input.scopes ?? (input.roleId ? undefined : before.scopes),
      );
      patch.roleId = granted.roleId;
      patch.scopes = granted.scopes;
    }
    if (input.expiresAt !== undefined || input.expiresInSeconds !== undefined) {
      patch.expiresAt = resolveExpiry(await projectOf(principal), input, now());
    }
    const after = await storage.tokens.update(principal.projectId, id, patch, now());
    if (!after) throw new KeywardError('NOT_FOUND', 'No such token');
    verifier.invalidate({ tokenId: id });
    await audit.record(request, {
      action: 'token.updated',
      projectId: principal.projectId,
      targetType: 'token',
      targetId: id,
      changes: diff(before, after),
    });
    return after;
  }

  async function revoke(request: FastifyRequest, principal: Principal, id: TokenId, reason: string | null) {
    await load(principal, id);
    const token = await storage.tokens.revoke(principal.projectId, id, reason, now());
    verifier.invalidate({ tokenId: id });
    if (!token) throw new KeywardError('CONFLICT', 'The token is already revoked');
    await audit.record(request, {
      action: 'token.revoked',
      projectId: principal.projectId,
      targetType: 'token',
      targetId: id,
      changes: { revoked_at: { after: token.revokedAt }, revoked_reason: { after: reason } },
    });
    return token;
  }

  async function rotate(request: FastifyRequest, principal: Principal, id: TokenId, graceSeconds: number) {
    const before = await load(principal, id);
    assertWithinRights(principal, before.scopes);
    const project = await projectOf(principal);
    const at = now();
    const secret = generateToken(project.tokenPrefix);
    const token = await storage.tokens.rotate(
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
    verifier.invalidate({ tokenId: id });
    if (!token) throw new KeywardError('TOKEN_NOT_ROTATABLE');
    await audit.record(request, {
      action: 'token.rotated',
      projectId: principal.projectId,
      targetType: 'token',
      targetId: id,
      changes: {
        hint: { before: before.hint, after: token.hint },
        grace_period_seconds: { after: graceSeconds },
      },
    });
    return { token, secret };
  }

  async function setDisabled(request: FastifyRequest, principal: Principal, id: TokenId, disabled: boolean) {
    await load(principal, id);
    const token = await storage.tokens.setDisabled(principal.projectId, id, disabled, now());
    verifier.invalidate({ tokenId: id });
    if (!token) throw new KeywardError('CONFLICT', 'A revoked token cannot be disabled or enabled');
    await audit.record(request, {
      action: disabled ? 'token.disabled' : 'token.enabled',
      projectId: principal.projectId,
      targetType: 'token',
      targetId: id,
      changes: { disabled_at: { after: token.disabledAt } },
    });
    return token;
  }

  /** The API Access key: one personal key per user and project; regenerating revokes the old one at once. */
  async function regeneratePersonal(request: FastifyRequest, principal: Principal) {
    if (principal.ownerType !== 'user') throw new KeywardError('FORBIDDEN', 'Only users have a personal key');
    const previous = await storage.tokens.findPersonal(principal.projectId, principal.ownerId as UserId);
    if (previous) await revoke(request, principal, previous.id, 'regenerated');
    return issue(request, principal, {
      name: 'Personal API key',
      kind: 'personal',
      scopes: principal.scopes,
      expiresAt: undefined,
    });
  }

  function checkImportable(key: string): void {
    if (!isAcceptableLegacyKey(key)) {
      throw new KeywardError('VALIDATION_FAILED', 'Imported keys must be 16 to 512 printable characters');
    }
  }

  return { issue, load, update, revoke, rotate, setDisabled, regeneratePersonal, checkImportable };
}

export type TokenService = ReturnType<typeof createTokenService>;
