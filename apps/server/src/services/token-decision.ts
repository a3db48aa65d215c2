import {
  callsKeyward,
  decideAddress,
  type ProjectId,
  type RateLimitResult,
  type Scope,
  type TokenId,
  type VerifiedPrincipal,
  type VerifyCode,
} from '@keyward/core';
import type { TokenLookup } from '@keyward/storage';
import type { Door } from '../plugins/metrics.ts';
import type { Deps } from '../types.ts';
import { NO_LIMITS } from './rate-limits.ts';

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

type Verified = Awaited<ReturnType<Deps['verifier']['verify']>>;

/**
 * Another tenant's token is answered exactly like an unknown one, and nothing of it is touched.
 * A token used from outside its allowlist is IP_NOT_ALLOWED, cached or not (core's address step).
 */
function withinProject(verified: Verified, projectId: string | undefined, ip: string): Verified {
  const { lookup } = verified;
  if (lookup === null) return verified;
  if (projectId !== undefined && lookup.state.projectId !== projectId)
    return { outcome: { valid: false, code: 'NOT_FOUND' }, lookup: null, cached: verified.cached };
  const outcome = decideAddress(verified.outcome, lookup.allowedIps, ip);
  return outcome === verified.outcome ? verified : { ...verified, outcome };
}

function subjectOf(verified: Verified) {
  const principal = verified.outcome.principal;
  if (!principal) return null;
  return {
    tokenId: principal.tokenId,
    ownerId: principal.ownerId,
    projectId: principal.projectId,
    policies: verified.lookup?.rateLimits ?? NO_LIMITS,
    callsKeyward: callsKeyward(principal.scopes),
  };
}

/** Everything after the verification and the rate limit: usage, metrics, the answer as data. */
function conclude(
  deps: Deps,
  verified: Verified,
  rateLimit: RateLimitResult | null,
  { door, ip }: DecisionOptions,
  startedAt: number,
): Decision {
  const { outcome, lookup } = verified;
  const code: VerifyCode = rateLimit !== null && !rateLimit.allowed ? 'RATE_LIMITED' : outcome.code;
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
  return {
    code,
    valid: code === 'VALID',
    principal: outcome.principal ?? null,
    lookup,
    missingScopes: outcome.code === 'INSUFFICIENT_SCOPE' ? outcome.missingScopes : [],
    rateLimit,
  };
}

/**
 * The doors' decision when it needs no I/O at all (a cached or malformed token, limits kept in
 * memory): the gateway's fast path answers within the request callback. Null when only
 * `decideToken` can answer.
 */
export function decideTokenNow(
  deps: Deps,
  token: string,
  requiredScopes: readonly Scope[],
  options: DecisionOptions,
): Decision | null {
  const startedAt = performance.now();
  const now = deps.verifier.verifyNow(token, requiredScopes);
  // A refusal may have to count against the caller's address, which can need I/O: not here.
  if (now === null || !now.outcome.principal) return null;
  const verified = withinProject(now, options.projectId, options.ip);
  // Refused for its address: the refusal may count against the address, which can need I/O.
  if (!verified.outcome.principal) return null;
  const subject = subjectOf(verified);
  const rateLimit = subject ? deps.rateLimits.consumeNow(subject) : null;
  if (rateLimit === undefined) return null;
  return conclude(deps, verified, rateLimit, options, startedAt);
}

/**
 * The doors' shared step: the verify decision (parse → cache → one read → decide), then the
 * token's rate limits, then usage and metrics, as data. The route guard, the verify API,
 * introspection and the gateway door all answer with it.
 */
export async function decideToken(
  deps: Deps,
  token: string,
  requiredScopes: readonly Scope[],
  options: DecisionOptions,
): Promise<Decision> {
  const startedAt = performance.now();
  const { ip, throttle } = options;
  const beforeRead = throttle ? () => deps.rateLimits.assertAddressNotBlocked(ip) : undefined;
  const verified = withinProject(
    await deps.verifier.verify(token, requiredScopes, beforeRead),
    options.projectId,
    ip,
  );
  const subject = subjectOf(verified);
  const rateLimit = subject ? await deps.rateLimits.consume(subject) : null;
  const decision = conclude(deps, verified, rateLimit, options, startedAt);
  if (subject === null && throttle) await deps.rateLimits.recordFailure(ip);
  return decision;
}

/** Scopes a gateway or caller asks for: space- or comma-separated, empty entries dropped. */
export function splitScopes(value: string | readonly string[] | undefined): Scope[] {
  if (value === undefined) return [];
  const text = typeof value === 'string' ? value : value.join(' ');
  if (text === '') return [];
  return text.split(/[\s,]+/).filter((s) => s !== '');
}
