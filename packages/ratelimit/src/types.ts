import type { RateLimitPolicy, RateLimitResult } from '@keyward/core';

/** One key (a token, an owner, a project, `ip:<addr>`…) and the windows that apply to it. */
export type RateLimitBucket = { key: string; policies: readonly RateLimitPolicy[] };

export interface RateLimiter {
  /**
   * Applies every policy to `key` atomically; a refused request consumes nothing. `cost` defaults
   * to 1; a cost of 0 is a peek: it charges nothing and is refused when any window is full.
   */
  check(key: string, policies: readonly RateLimitPolicy[], cost?: number): Promise<RateLimitResult>;
  /**
   * Applies every window of every bucket in one atomic step (e.g. token, owner and project limits
   * of one request): admitted only if all admit. Results list windows in bucket order.
   */
  checkMany(buckets: readonly RateLimitBucket[], cost?: number): Promise<RateLimitResult>;
  /**
   * `checkMany` answered synchronously, for stores that can answer without I/O (the in-memory one
   * always; the database one from the units it holds); undefined when only `checkMany` can answer.
   */
  checkManyNow?(buckets: readonly RateLimitBucket[], cost?: number): RateLimitResult | undefined;
  close(): Promise<void>;
}
