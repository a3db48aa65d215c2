import { intersectScopes, missingScopes, type Scope } from './scopes.ts';

export const VERIFY_CODES = [
  'VALID',
  'MALFORMED',
  'NOT_FOUND',
  'EXPIRED',
  'ROTATED',
  'REVOKED',
  'DISABLED',
  'OWNER_INACTIVE',
  'INSUFFICIENT_SCOPE',
  'RATE_LIMITED',
  'IP_NOT_ALLOWED',
] as const;

export type VerifyCode = (typeof VERIFY_CODES)[number];

export type OwnerType = 'user' | 'service_account';

/** What the decision needs to know about a stored token; storage builds it with one indexed read. */
export type TokenState = {
  tokenId: string;
  projectId: string;
  ownerType: OwnerType;
  ownerId: string;
  name: string;
  scopes: Scope[];
  /** The rights of the owner right now (user's role in the project, or the service account's). */
  ownerScopes: Scope[];
  ownerActive: boolean;
  expiresAt: number | null;
  revokedAt: number | null;
  disabledAt: number | null;
  /** Set when the secret that matched was replaced by a rotation and lives only until then. */
  secretExpiresAt: number | null;
};

export type VerifyInput = {
  state: TokenState | null;
  now: number;
  requiredScopes?: readonly Scope[];
};

export type VerifiedPrincipal = {
  tokenId: string;
  projectId: string;
  ownerType: OwnerType;
  ownerId: string;
  name: string;
  scopes: Scope[];
  expiresAt: number | null;
};

export type VerifyOutcome =
  | { valid: true; code: 'VALID'; principal: VerifiedPrincipal }
  | {
      valid: false;
      code: 'INSUFFICIENT_SCOPE';
      principal: VerifiedPrincipal;
      missingScopes: Scope[];
    }
  | { valid: false; code: Exclude<VerifyCode, 'VALID' | 'INSUFFICIENT_SCOPE'>; principal?: undefined };

/** The one verification decision: pure, so every entry point gives the same answer for the same state. */
export function decide({ state, now, requiredScopes = [] }: VerifyInput): VerifyOutcome {
  if (state === null) return { valid: false, code: 'NOT_FOUND' };
  // Any revocation counts at once, whatever the clocks of the nodes involved say.
  if (state.revokedAt !== null) return { valid: false, code: 'REVOKED' };
  if (state.secretExpiresAt !== null && state.secretExpiresAt <= now)
    return { valid: false, code: 'ROTATED' };
  if (state.expiresAt !== null && state.expiresAt <= now) return { valid: false, code: 'EXPIRED' };
  if (state.disabledAt !== null) return { valid: false, code: 'DISABLED' };
  if (!state.ownerActive) return { valid: false, code: 'OWNER_INACTIVE' };
  const principal: VerifiedPrincipal = {
    tokenId: state.tokenId,
    projectId: state.projectId,
    ownerType: state.ownerType,
    ownerId: state.ownerId,
    name: state.name,
    scopes: effectiveScopes(state),
    expiresAt: state.expiresAt,
  };
  const missing = missingScopes(principal.scopes, requiredScopes);
  if (missing.length > 0)
    return { valid: false, code: 'INSUFFICIENT_SCOPE', principal, missingScopes: missing };
  return { valid: true, code: 'VALID', principal };
}

/** A token never exceeds its owner: its rights are its own scopes within the owner's current ones. */
export function effectiveScopes(state: Pick<TokenState, 'scopes' | 'ownerScopes'>): Scope[] {
  return intersectScopes(state.scopes, state.ownerScopes);
}
