import type {
  ProjectId,
  RateLimitResult,
  Scope,
  TokenId,
  VerifiedPrincipal,
  VerifyCode,
} from '@keyward/core';
import type { TokenLookup } from '@keyward/storage';
import type { Door } from '../../plugins/metrics.ts';
import type { Deps } from '../../types.ts';

export type Decision = {
  code: VerifyCode;
  valid: boolean;
  /** Set for VALID, INSUFFICIENT_SCOPE and RATE_LIMITED: the token was good, the request was not. */
  principal: VerifiedPrincipal | null;
  /** The stored token when it was found (also when refused); null for unknown and foreign tokens. */
  lookup: TokenLookup | null;
  missingScopes: Scope[];
  rateLimit: RateLimitResult | null;
};

export type DecisionOptions = {
  door: Door;
  /** The client address: stamps last used and, with `throttle`, counts failed attempts. */
  ip: string;
  /** Only tokens of this project are known; any other answers NOT_FOUND, untouched. */
  projectId?: string;
  /** Apply the failed-authentication throttle of `ip` (doors that face the caller of the API). */
  throttle: boolean;
};

const NO_LIMITS: TokenLookup['rateLimits'] = { token: [], owner: [], project: [] };

/**
 * The doors' shared step: the verify decision (parse → cache → one read → decide), then the
 * token's rate limits, then usage and metrics — the same checks as the route guard, as data.
 */
export async function decideToken(
  deps: Deps,
  token: string,
  requiredScopes: readonly Scope[],
  { door, ip, projectId, throttle }: DecisionOptions,
): Promise<Decision> {
  const startedAt = performance.now();
  const beforeRead = throttle ? () => deps.rateLimits.assertAddressNotBlocked(ip) : undefined;
  const verified = await deps.verifier.verify(token, requiredScopes, beforeRead);
  let { outcome, lookup } = verified;
  if (lookup !== null && projectId !== undefined && lookup.state.projectId !== projectId) {
    // Another tenant's token: answered exactly like an unknown one, and nothing of it is touched.
    outcome = { valid: false, code: 'NOT_FOUND' };
    lookup = null;
  }
  let code: VerifyCode = outcome.code;
  let rateLimit: RateLimitResult | null = null;
  const principal = outcome.principal ?? null;
  if (principal !== null) {
    rateLimit = await deps.rateLimits.consume({
      tokenId: principal.tokenId,
      ownerId: principal.ownerId,
      projectId: principal.projectId,
      policies: lookup?.rateLimits ?? NO_LIMITS,
    });
    if (rateLimit !== null && !rateLimit.allowed) code = 'RATE_LIMITED';
  }
  if (lookup !== null) {
    const state = lookup.state;
    deps.usage.record(
      state.tokenId as TokenId,
      state.projectId as ProjectId,
      code,
      code === 'VALID' ? ip : null,
    );
  }
  deps.metrics.verification(door, code, code === 'MALFORMED' ? null : verified.cached, startedAt);
  if (principal === null && throttle) await deps.rateLimits.recordFailure(ip);
  return {
    code,
    valid: code === 'VALID',
    principal,
    lookup,
    missingScopes: outcome.code === 'INSUFFICIENT_SCOPE' ? outcome.missingScopes : [],
    rateLimit,
  };
}

/** Scopes a gateway or caller asks for: space- or comma-separated, empty entries dropped. */
export function splitScopes(value: string | readonly string[] | undefined): Scope[] {
  if (value === undefined) return [];
  const text = typeof value === 'string' ? value : value.join(' ');
  if (text === '') return [];
  return text.split(/[\s,]+/).filter((s) => s !== '');
}
