import { createHash } from 'node:crypto';
import type { RateLimitResult } from './rate-limit.ts';

/**
 * Sign-in throttling: wrong passwords are counted per account and per client address, each in
 * fixed windows (the rate-limit maths of ./rate-limit.ts). A full window refuses every sign-in of
 * that account or address (the right password too) until it ends: the throttle fails closed.
 */
export type SignInThrottleScope = 'account' | 'address';

export type SignInRefusal = { scope: SignInThrottleScope; retryAfterSeconds: number };

/** The limiter key of an account: a hash, so limiter state (Redis) holds no email address. */
export function accountThrottleKey(normalizedEmail: string): string {
  return `signin:account:${createHash('sha256').update(normalizedEmail, 'utf8').digest('hex')}`;
}

export function addressThrottleKey(address: string): string {
  return `signin:address:${address}`;
}

/**
 * The answer to a peek at both windows: the scope that blocks longest (so its Retry-After is
 * honest for the next try), or null when both have room. A scope without policies is null.
 */
export function signInRefusal(
  peeks: Record<SignInThrottleScope, RateLimitResult | null>,
): SignInRefusal | null {
  let refusal: SignInRefusal | null = null;
  for (const scope of ['account', 'address'] as const) {
    const peek = peeks[scope];
    if (peek && !peek.allowed && (refusal === null || peek.retryAfterSeconds > refusal.retryAfterSeconds))
      refusal = { scope, retryAfterSeconds: peek.retryAfterSeconds };
  }
  return refusal;
}
