import {
  KeywardError,
  may,
  type OwnerType,
  type PolicyAction,
  type PolicyCaller,
  type PolicyContext,
  type PolicyDecision,
  type PolicyTarget,
  type ProjectId,
  type Scope,
  type ServiceAccountId,
  type TokenTarget,
  type UserId,
} from '@keyward/core';
import type { Project, Repositories, Token } from '@keyward/storage';
import { insufficientScope } from '../plugins/auth.ts';
import type { Principal } from '../types.ts';
import { userRights } from './user-rights.ts';

export function callerOf(p: Principal): PolicyCaller {
  return {
    via: p.via,
    ownerType: p.ownerType,
    ownerId: p.ownerId,
    tokenId: p.tokenId,
    scopes: p.scopes,
    expiresAt: p.expiresAt,
  };
}

export function policyContext(project: Pick<Project, 'settings'>, now: number): PolicyContext {
  return { now, maxTokenLifetimeSeconds: project.settings.maxTokenLifetimeSeconds };
}

/** Throws the refusal as the problem the caller gets (its record names the action); else nothing. */
export function enforce(decision: PolicyDecision, action: PolicyAction): void {
  if (decision.allowed) return;
  const { code, missing, reason } = decision;
  const error =
    code === 'INSUFFICIENT_SCOPE'
      ? insufficientScope(missing)
      : new KeywardError(code, reason, missing.length > 0 ? { missing_scopes: missing } : {});
  error.context.policy_action = action;
  throw error;
}

/** Asks the policy and throws its refusal: the only authorization check a service makes. */
export function authorize(
  principal: Principal,
  action: PolicyAction,
  target: PolicyTarget,
  context: PolicyContext,
): void {
  enforce(may(callerOf(principal), action, target, context), action);
}

/** A role, member or service-account change: every right it touches must be the caller's. */
export function authorizeScopes(
  principal: Principal,
  action: PolicyAction,
  scopes: readonly Scope[],
  now: number,
): void {
  // Lifetimes are the tokens' business: none applies to these targets.
  authorize(principal, action, { kind: 'scopes', scopes }, { now, maxTokenLifetimeSeconds: null });
}

/** What a token's owner holds now; an owner that is gone or inactive holds nothing. */
export async function ownerRights(
  repos: Repositories,
  projectId: ProjectId,
  owner: { ownerType: OwnerType; ownerId: string },
): Promise<Scope[]> {
  if (owner.ownerType === 'user') return (await userRights(repos, owner.ownerId as UserId, projectId)) ?? [];
  const account = await repos.serviceAccounts.get(projectId, owner.ownerId as ServiceAccountId);
  if (!account?.active) return [];
  return (await repos.roles.get(projectId, account.roleId))?.scopes ?? [];
}

/** A stored token as the policy sees it: its grant now (its role's current scopes) and its owner's. */
export async function tokenTarget(repos: Repositories, token: Token): Promise<TokenTarget> {
  const role = token.roleId ? await repos.roles.get(token.projectId, token.roleId) : null;
  return {
    kind: 'token',
    tokenId: token.id,
    ownerType: token.ownerType,
    ownerId: token.ownerId,
    scopes: token.roleId ? (role?.scopes ?? []) : token.scopes,
    ownerScopes: await ownerRights(repos, token.projectId, token),
    expiresAt: token.expiresAt,
  };
}
