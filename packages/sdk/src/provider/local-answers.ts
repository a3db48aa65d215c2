import { addressAllowed } from './ip-allowlist.ts';
import type { Admission, QuotaPool } from './quota.ts';
import { missingScopes } from './scopes.ts';
import { type CachedToken, Grant } from './token-cache.ts';
import type { RateLimitWindow, SdkVerifyAnswer, VerifyCode, VerifyResult } from './wire.ts';

/** A verification as the middleware needs it: the answer and the RateLimit windows. */
export type Check = { result: VerifyResult; windows: RateLimitWindow[] };

const NO_SCOPES: string[] = [];

/** A refusal as Keyward answered it (or, without an answer, as the SDK decided it alone). */
export function refusal(code: VerifyCode, answer: SdkVerifyAnswer | null): Check {
  return {
    result: {
      valid: false,
      code,
      token_id: answer?.token_id ?? null,
      owner: answer?.owner ?? null,
      project_id: answer?.project_id ?? null,
      scopes: [],
      expires_at: answer?.expires_at ?? null,
      rate_limit: null,
    },
    windows: [],
  };
}

function refusedEntry(entry: CachedToken, code: VerifyCode): Check {
  const result: VerifyResult = {
    valid: false,
    code,
    token_id: entry.tokenId,
    owner: entry.owner,
    project_id: entry.projectId,
    scopes: [],
    expires_at: entry.expiresAtText,
    rate_limit: null,
  };
  return { result, windows: [] };
}

/** A refusal the token's own dates decide (no limit is counted for it). */
export function dated(entry: CachedToken, at: number): Check | null {
  if (entry.secretExpiresAt !== null && entry.secretExpiresAt <= at) return refusedEntry(entry, 'ROTATED');
  if (entry.expiresAt !== null && entry.expiresAt <= at) return refusedEntry(entry, 'EXPIRED');
  return null;
}

/**
 * IP_NOT_ALLOWED from an address outside the token's allowlist, decided as Keyward's doors decide
 * it: after the token's own state, before its limits. Without a known address a restricted token
 * is refused (Keyward would check the provider's own address, which is not the caller's).
 */
export function misplaced(entry: CachedToken, ip: string | null | undefined): Check | null {
  if (entry.allowedIps.length === 0 || (ip != null && addressAllowed(entry.allowedIps, ip))) return null;
  return refusedEntry(entry, 'IP_NOT_ALLOWED');
}

const MAX_GRANTS = 16;

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The entry's grant for `required`: found among its grants by content (a route passes the same
 * array every time, another array with the same scopes finds the same grant; an array changed in
 * place is compared as it is now), else computed and kept, at most 16 per entry.
 */
export function grantFor(entry: CachedToken, required: readonly string[]): Grant {
  const grants = entry.grants;
  for (let i = 0; i < grants.length; i++) {
    const grant = grants[i] as Grant;
    if (sameScopes(grant.required, required)) return grant;
  }
  const missing = required.length === 0 ? NO_SCOPES : missingScopes(entry.scopes, required);
  const grant = new Grant(entry, [...required], missing);
  if (grants.length < MAX_GRANTS) grants.push(grant);
  return grant;
}

export function admitted(
  entry: CachedToken,
  missing: string[],
  pool: QuotaPool,
  admission: Admission,
): Check {
  const limited = admission === 'limited';
  const code: VerifyCode = limited ? 'RATE_LIMITED' : missing.length > 0 ? 'INSUFFICIENT_SCOPE' : 'VALID';
  const result: VerifyResult = {
    valid: code === 'VALID',
    code,
    token_id: entry.tokenId,
    owner: entry.owner,
    project_id: entry.projectId,
    scopes: entry.scopes,
    expires_at: entry.expiresAtText,
    rate_limit: pool.rateLimit(limited),
    metadata: entry.metadata,
  };
  if (missing.length > 0) result.missing_scopes = missing;
  return { result, windows: pool.windows(limited) };
}
