import {
  accountThrottleKey,
  addressThrottleKey,
  KeywardError,
  namePolicies,
  type RateLimitPolicy,
  type SignInRefusal,
  signInRefusal,
} from '@keyward/core';
import type { RateLimiter } from '@keyward/ratelimit';

export type SignInThrottleOptions = {
  limiter: RateLimiter;
  /** Wrong passwords per account and window. */
  accountPolicies: RateLimitPolicy[];
  /** Wrong passwords per client address and window, across accounts. */
  addressPolicies: RateLimitPolicy[];
};

export function signInThrottledError(refusal: SignInRefusal): KeywardError {
  const which = refusal.scope === 'account' ? 'this account' : 'this address';
  return new KeywardError(
    'RATE_LIMITED',
    `Too many wrong passwords for ${which}; retry in ${refusal.retryAfterSeconds} s`,
    // A flood of refused sign-ins must not cost a write each: the audit log counts them instead.
    { retry_after: refusal.retryAfterSeconds, policy: `signin-${refusal.scope}`, record: false },
  );
}

/** The per-account and per-address throttle of POST /v1/auth/login, shared across nodes with Redis. */
export function createSignInThrottle({ limiter, accountPolicies, addressPolicies }: SignInThrottleOptions) {
  const account = namePolicies('signin-account', accountPolicies);
  const address = namePolicies('signin-address', addressPolicies);

  async function count(email: string, ip: string, cost: 0 | 1): Promise<SignInRefusal | null> {
    const [byAccount, byAddress] = await Promise.all([
      account.length > 0 ? limiter.check(accountThrottleKey(email), account, cost) : null,
      address.length > 0 ? limiter.check(addressThrottleKey(ip), address, cost) : null,
    ]);
    return signInRefusal({ account: byAccount, address: byAddress });
  }

  return {
    /** Null when a sign-in may be tried now; a refusal when either window is full. Counts nothing. */
    check: (normalizedEmail: string, ip: string) => count(normalizedEmail, ip, 0),
    /** Counts a wrong password; returns the refusal the next try will get, if this one filled a window. */
    async recordFailure(normalizedEmail: string, ip: string): Promise<SignInRefusal | null> {
      await count(normalizedEmail, ip, 1);
      return count(normalizedEmail, ip, 0);
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;
