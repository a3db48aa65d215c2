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
  limiter: RateLimiter;
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
};

export function rateLimitedError(result: RateLimitResult & { allowed: false }): KeywardError {
  const window = result.mostRestrictive;
  return new KeywardError(
    'RATE_LIMITED',
    `Limit of ${window.limit} requests per ${window.windowSeconds} s reached; retry in ${result.retryAfterSeconds} s`,
    { retry_after: result.retryAfterSeconds, policy: window.name },
  );
}

/** Per-token, per-owner and per-project limits, and the failed-authentication throttle per address. */
export function createRateLimitService({
  limiter,
  defaultTokenPolicies,
  failedAuthPolicies,
}: RateLimitServiceOptions) {
  function bucketsFor(subject: Subject): RateLimitBucket[] {
    const tokenPolicies = subject.policies.token.length > 0 ? subject.policies.token : defaultTokenPolicies;
    const buckets: RateLimitBucket[] = [];
    if (subject.tokenId && tokenPolicies.length > 0) {
      buckets.push({ key: subject.tokenId, policies: namePolicies('token', tokenPolicies) });
    }
    if (subject.policies.owner.length > 0) {
      buckets.push({ key: subject.ownerId, policies: namePolicies('owner', subject.policies.owner) });
    }
    if (subject.policies.project.length > 0) {
      buckets.push({ key: subject.projectId, policies: namePolicies('project', subject.policies.project) });
    }
    return buckets;
  }

  return {
    /** Counts one request against every limit that applies; null when none does. */
    async consume(subject: Subject): Promise<RateLimitResult | null> {
      const buckets = bucketsFor(subject);
      return buckets.length === 0 ? null : limiter.checkMany(buckets);
    },

    /** Refuses an address that has failed too often, without counting this request. */
    async assertAddressNotBlocked(address: string): Promise<void> {
      if (failedAuthPolicies.length === 0) return;
      const result = await limiter.check(`ip:${address}`, namePolicies('failed-auth', failedAuthPolicies), 0);
      if (!result.allowed) throw rateLimitedError(result);
    },

    /** Counts a failed authentication; once the address is over its allowance the answer becomes 429. */
    async recordFailure(address: string): Promise<void> {
      if (failedAuthPolicies.length === 0) return;
      const result = await limiter.check(`ip:${address}`, namePolicies('failed-auth', failedAuthPolicies), 1);
      if (!result.allowed) throw rateLimitedError(result);
    },

    headers: (result: RateLimitResult | null) => (result ? rateLimitHeaders(result) : {}),
    close: () => limiter.close(),
  };
}

export type RateLimitService = ReturnType<typeof createRateLimitService>;
