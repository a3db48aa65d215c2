import type { ErrorCode } from './errors.ts';
import { INSTANCE_ADMIN_SCOPE, MANAGEMENT_SCOPES as M } from './roles.ts';
import { isCovered, missingScopes, type Scope } from './scopes.ts';
import type { OwnerType } from './verify.ts';

/** The scope a token needs to regenerate its user's personal key (a console session needs none). */
export const PERSONAL_KEY_SCOPE = 'me:api-key';

/** Every change Keyward makes on a caller's behalf, with the scopes the caller must hold for it. */
export const POLICY_ACTIONS = {
  'token.create': [M.tokensWrite],
  'token.import': [M.tokensWrite],
  'token.read': [M.tokensRead],
  'token.read_usage': [M.tokensRead],
  'token.update': [M.tokensWrite],
  'token.extend_expiry': [M.tokensWrite],
  'token.enable': [M.tokensWrite],
  'token.disable': [M.tokensWrite],
  'token.revoke': [M.tokensWrite],
  'token.bulk_revoke': [M.tokensWrite, M.projectsAdmin],
  'token.rotate': [M.tokensWrite],
  'token.regenerate_personal': [PERSONAL_KEY_SCOPE],
  'role.create': [M.rolesWrite],
  'role.update': [M.rolesWrite],
  'role.delete': [M.rolesWrite],
  'member.add': [M.membersWrite],
  // Accounts are instance-wide: creating or adding one directly is an instance administrator's.
  'member.create_account': [M.membersWrite, INSTANCE_ADMIN_SCOPE],
  'member.change': [M.membersWrite],
  'member.remove': [M.membersWrite],
  'service_account.create': [M.serviceAccountsWrite],
  'service_account.update': [M.serviceAccountsWrite],
  'project.create': [INSTANCE_ADMIN_SCOPE],
  'project.update': [M.projectsAdmin],
  'user.update': [INSTANCE_ADMIN_SCOPE],
  // Webhooks send the project's events out of Keyward: configuring them is the project admin's.
  'webhook.create': [M.projectsAdmin],
  'webhook.update': [M.projectsAdmin],
  'webhook.delete': [M.projectsAdmin],
  'webhook.rotate_secret': [M.projectsAdmin],
  'webhook.redeliver': [M.projectsAdmin],
  'webhook.test': [M.projectsAdmin],
  'project.update_reminders': [M.projectsAdmin],
} as const satisfies Record<string, readonly Scope[]>;

export type PolicyAction = keyof typeof POLICY_ACTIONS;
export const POLICY_ACTION_NAMES = Object.keys(POLICY_ACTIONS) as PolicyAction[];

/** Actions that hand out a secret. */
export const SECRET_ACTIONS: ReadonlySet<PolicyAction> = new Set([
  'token.create',
  'token.import',
  'token.rotate',
  'token.regenerate_personal',
]);
/** Actions after which a token can be used (again, or for longer): they may not outrun any limit. */
export const USABLE_AGAIN_ACTIONS: ReadonlySet<PolicyAction> = new Set([
  ...SECRET_ACTIONS,
  'token.enable',
  'token.extend_expiry',
]);
/** Actions that only look; they need the action's scope and nothing of the target. */
const LOOKING_ACTIONS: ReadonlySet<PolicyAction> = new Set(['token.read', 'token.read_usage']);
/** Incident response: someone holding `projects:admin` may stop any token, however wide. */
const STOPPING_ACTIONS: ReadonlySet<PolicyAction> = new Set(['token.revoke', 'token.disable']);

export type PolicyCaller = {
  via: 'session' | 'token';
  ownerType: OwnerType;
  ownerId: string;
  /** The calling token (null for a console session). */
  tokenId: string | null;
  /** The caller's effective rights now. */
  scopes: readonly Scope[];
  expiresAt: number | null;
};

/** A token as it is (or will be, once the action is done). */
export type TokenTarget = {
  kind: 'token';
  /** Null for a token that does not exist yet. */
  tokenId: string | null;
  ownerType: OwnerType;
  ownerId: string;
  /** What the token is granted now: its own scopes, or its role's current scopes. */
  scopes: readonly Scope[];
  /** Its owner's rights now (a user's in the project, or the service account's role). */
  ownerScopes: readonly Scope[];
  /** When it expires once the action is done. */
  expiresAt: number | null;
};

/** A role, member or service account: every right the change touches (what it gave and will give). */
export type ScopesTarget = { kind: 'scopes'; scopes: readonly Scope[] };
export type NoTarget = { kind: 'none' };
export type PolicyTarget = TokenTarget | ScopesTarget | NoTarget;

export type PolicyContext = { now: number; maxTokenLifetimeSeconds: number | null };

export type PolicyDecision =
  | { allowed: true }
  | {
      allowed: false;
      code: Extract<ErrorCode, 'INSUFFICIENT_SCOPE' | 'SCOPE_ESCALATION' | 'FORBIDDEN' | 'LIFETIME_EXCEEDED'>;
      missing: Scope[];
      reason: string;
    };

const ALLOWED: PolicyDecision = { allowed: true };
const refuse = (
  code: Exclude<PolicyDecision, { allowed: true }>['code'],
  reason: string,
  missing: Scope[] = [],
): PolicyDecision => ({ allowed: false, code, missing, reason });

/**
 * The part of the decision that needs no target: may this caller attempt the action at all?
 * Routes ask it before they load anything, so a caller without the scope learns nothing.
 */
export function mayAttempt(
  caller: PolicyCaller,
  action: PolicyAction,
  tokenId: string | null,
): PolicyDecision {
  if (action === 'token.revoke' && tokenId !== null && tokenId === caller.tokenId) return ALLOWED;
  if (action === 'token.regenerate_personal') {
    if (caller.ownerType !== 'user') return refuse('FORBIDDEN', 'Only users have a personal key');
    if (caller.via === 'session') return ALLOWED;
  }
  const missing = missingScopes(caller.scopes, POLICY_ACTIONS[action]);
  return missing.length > 0
    ? refuse('INSUFFICIENT_SCOPE', `Requires scope ${missing.join(' ')}`, missing)
    : ALLOWED;
}

/** The one authorization decision: may `caller` do `action` to `target` now? */
export function may(
  caller: PolicyCaller,
  action: PolicyAction,
  target: PolicyTarget,
  context: PolicyContext,
): PolicyDecision {
  const attempt = mayAttempt(caller, action, target.kind === 'token' ? target.tokenId : null);
  if (!attempt.allowed || target.kind === 'none' || LOOKING_ACTIONS.has(action)) return attempt;
  if (target.kind === 'scopes') return withinCaller(caller, target.scopes);
  return mayOnToken(caller, action, target, context);
}

function withinCaller(caller: PolicyCaller, scopes: readonly Scope[]): PolicyDecision {
  const beyond = missingScopes(caller.scopes, scopes);
  return beyond.length > 0
    ? refuse('SCOPE_ESCALATION', `You do not hold ${beyond.join(', ')}`, beyond)
    : ALLOWED;
}

function mayOnToken(
  caller: PolicyCaller,
  action: PolicyAction,
  target: TokenTarget,
  context: PolicyContext,
): PolicyDecision {
  const isSelf = target.tokenId !== null && target.tokenId === caller.tokenId;
  if (action === 'token.revoke' && isSelf) return ALLOWED;
  // The grant, not only the part its owner holds today: the owner's rights can come back without
  // anyone touching the token, and the caller would then hold what it was never given.
  const wider = withinCaller(caller, target.scopes);
  if (!wider.allowed && !(STOPPING_ACTIONS.has(action) && isCovered(M.projectsAdmin, caller.scopes)))
    return wider;
  if (SECRET_ACTIONS.has(action)) {
    const recipient = mayReceiveSecret(caller, target);
    if (!recipient.allowed) return recipient;
  }
  if (USABLE_AGAIN_ACTIONS.has(action)) return withinLifetime(caller, target, context);
  return ALLOWED;
}

/** A user's secret goes to that user only; a service account's to itself or to whoever holds its rights. */
function mayReceiveSecret(caller: PolicyCaller, target: TokenTarget): PolicyDecision {
  const same = caller.ownerType === target.ownerType && caller.ownerId === target.ownerId;
  if (same) return ALLOWED;
  if (target.ownerType === 'user')
    return refuse('FORBIDDEN', "Only its owner may receive a user token's secret");
  return withinCaller(caller, target.ownerScopes);
}

/** Within the project's maximum lifetime and, for a calling token, never outliving that token. */
function withinLifetime(caller: PolicyCaller, target: TokenTarget, context: PolicyContext): PolicyDecision {
  const max = context.maxTokenLifetimeSeconds;
  if (max !== null && (target.expiresAt === null || target.expiresAt > context.now + max * 1000))
    return refuse('LIFETIME_EXCEEDED', `Tokens of this project must expire within ${max} seconds`);
  const callerEnd = caller.via === 'token' ? caller.expiresAt : null;
  if (callerEnd !== null && (target.expiresAt === null || target.expiresAt > callerEnd))
    return refuse(
      'LIFETIME_EXCEEDED',
      `The token would outlive yours; let it expire by ${new Date(callerEnd).toISOString()}`,
    );
  return ALLOWED;
}
