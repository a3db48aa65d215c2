import {
  KeywardError,
  namePolicies,
  type RateLimitPolicy,
  type RateLimitResult,
  rateLimitHeaders,
} from '@keyward/core';
import type { RateLimitBucket, RateLimiter } from '@keyward/ratelimit';
import type { TokenLookup } from '@keyward/storage';

/** Parses `limit/windowSeconds` entries such as `6000/60,100/1`; `none` means no limit. */
export function parsePolicyList(text: string): RateLimitPolicy[] {
  if (text.trim() === 'none') return [];
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const match = /^(\d+)\/(\d+)s?$/.exec(entry);
      if (!match) throw new Error(`rate limit "${entry}" is not of the form limit/seconds`);
      return { limit: Number(match[1]), windowSeconds: Number(match[2]) };
    });
}

export type RateLimitServiceOptions = {
  /** Token, owner and project limits; the database's limiter says so (`mode`). */
  limiter: RateLimiter & { mode?(): 'database' };
  /** Per-address throttles (failed authentications): never a database write per refusal. */
  throttle: RateLimiter;
  /** Applied to a token that has no policy of its own, so every response can state its limit. */
  defaultTokenPolicies: RateLimitPolicy[];
  /** Failed authentications allowed per client address. */
  failedAuthPolicies: RateLimitPolicy[];
};

export type Subject = {
  tokenId: string | null;
  ownerId: string;
  projectId: string;
  policies: TokenLookup['rateLimits'];
  /** A token a provider's servers call Keyward with: the per-token default limit does not apply. */
  callsKeyward?: boolean;
};

/** Where limits are counted: in this node's memory, or in the database every node shares (ADR 0016). */
export type RateLimitMode = 'memory' | 'database';

/** The limits that applied to a request and what counting it gave (for GET /v1/me and verify results). */
export type RateLimitState = {
  policies: TokenLookup['rateLimits'];
  result: RateLimitResult | null;
};

export function rateLimitedError(result: RateLimitResult & { allowed: false }): KeywardError {
  const window = result.mostRestrictive;
  return new KeywardError(
    'RATE_LIMITED',
    // The wait is in Retry-After and retry_after, not here: refusals within a window read the same,
    // so they share one error record.
    `Limit of ${window.limit} requests per ${window.windowSeconds} s reached; retry after Retry-After seconds`,
    { retry_after: result.retryAfterSeconds, policy: window.name },
  );
}

/**
 * The answer to a throttled address. A flood of them shares one error record per window (they name
 * no caller, see `errorCoalescingKey`), so it costs no database write per request.
 */
function addressThrottledError(retryAfterSeconds: number, policy: string): KeywardError {
  return new KeywardError(
    'RATE_LIMITED',
    'Too many failed authentications from this address; retry after Retry-After seconds',
    { retry_after: retryAfterSeconds, policy },
  );
}

/** A principal with no policies of its own (a console session, an unknown token). */
export const NO_LIMITS: TokenLookup['rateLimits'] = { token: [], owner: [], project: [] };

/** Per-token, per-owner and per-project limits, and the failed-authentication throttle per address. */
export function createRateLimitService({
  limiter,
  throttle,
  defaultTokenPolicies,
  failedAuthPolicies,
}: RateLimitServiceOptions) {
  /** The policies that apply: a token without its own gets the default; sessions have no token limit. */
  function applied(subject: Subject): TokenLookup['rateLimits'] {
    const fallback = subject.callsKeyward ? [] : defaultTokenPolicies;
    const token = subject.policies.token.length > 0 ? subject.policies.token : fallback;
    return {
      token: subject.tokenId ? token : [],
      owner: subject.policies.owner,
      project: subject.policies.project,
    };
  }

  // Policy lists come from cached lookups (or the defaults) and stay the same objects: name each once.
  const named = { token: new WeakMap(), owner: new WeakMap(), project: new WeakMap() } satisfies Record<
    string,
    WeakMap<readonly RateLimitPolicy[], RateLimitPolicy[]>
  >;
  function nameOnce(scope: keyof typeof named, policies: readonly RateLimitPolicy[]): RateLimitPolicy[] {
    let result = named[scope].get(policies);
    if (result === undefined) {
      result = namePolicies(scope, policies);
      named[scope].set(policies, result);
    }
    return result;
  }

  function bucketsFor(subject: Subject): RateLimitBucket[] {
    const policies = applied(subject);
    const buckets: RateLimitBucket[] = [];
    if (subject.tokenId && policies.token.length > 0) {
      buckets.push({ key: subject.tokenId, policies: nameOnce('token', policies.token) });
    }
    if (policies.owner.length > 0) {
      buckets.push({ key: subject.ownerId, policies: nameOnce('owner', policies.owner) });
    }
    if (policies.project.length > 0) {
      buckets.push({ key: subject.projectId, policies: nameOnce('project', policies.project) });
    }
    return buckets;
  }
  const failedAuth = namePolicies('failed-auth', failedAuthPolicies);

  return {
    /** Counts one request against every limit that applies; null when none does. */
    async consume(subject: Subject): Promise<RateLimitResult | null> {
      const buckets = bucketsFor(subject);
      return buckets.length === 0 ? null : limiter.checkMany(buckets);
    },

    /** Charges `units` at once (0 is a peek) against every limit that applies; null when none does. */
    async consumeUnits(subject: Subject, units: number): Promise<RateLimitResult | null> {
      const buckets = bucketsFor(subject);
      return buckets.length === 0 ? null : limiter.checkMany(buckets, units);
    },

    /** `consume` without waiting: undefined when the store needs I/O (the database) and only `consume` will do. */
    consumeNow(subject: Subject): RateLimitResult | null | undefined {
      const buckets = bucketsFor(subject);
      if (buckets.length === 0) return null;
      return limiter.checkManyNow?.(buckets);
    },

    /** The policies `consume` applies to a subject, unnamed (for showing them in API answers). */
    appliedPolicies: applied,

    /**
     * Refuses an address whose next failure would be refused, without counting this request:
     * a cost-0 check (a peek) is refused when a failed-auth window is full.
     */
    async assertAddressNotBlocked(address: string): Promise<void> {
      if (failedAuth.length === 0) return;
      const result = await throttle.check(`ip:${address}`, failedAuth, 0);
      if (!result.allowed) throw addressThrottledError(result.retryAfterSeconds, result.mostRestrictive.name);
    },

    /** Counts a failed authentication; once the address is over its allowance the answer becomes 429. */
    async recordFailure(address: string): Promise<void> {
      if (failedAuth.length === 0) return;
      const result = await throttle.check(`ip:${address}`, failedAuth, 1);
      if (!result.allowed) throw addressThrottledError(result.retryAfterSeconds, result.mostRestrictive.name);
    },

    headers: (result: RateLimitResult | null) => (result ? rateLimitHeaders(result) : {}),

    /** For a metric: 'memory' on one node, 'database' on several. */
    mode: (): RateLimitMode => limiter.mode?.() ?? 'memory',
    async close() {
      await limiter.close();
      if (throttle !== limiter) await throttle.close();
    },
  };
}

export type RateLimitService = ReturnType<typeof createRateLimitService>;
