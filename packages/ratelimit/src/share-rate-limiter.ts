import { summarizeRateLimit } from '@keyward/core';
import type { RateLimitBucket, RateLimiter } from './types.ts';
import { keyedWindows } from './windows.ts';

/**
 * This node's share of every policy while it decides alone: `floor(limit / nodes)`. A share of 0
 * (more nodes than the limit) refuses everything; a cost above the share is refused, not thrown.
 */
export function shareOf(buckets: readonly RateLimitBucket[], nodes: number): RateLimitBucket[] {
  const n = Number.isFinite(nodes) && nodes > 1 ? Math.floor(nodes) : 1;
  if (n === 1) return [...buckets];
  // The window state is kept under the shared limit: a change in the node count starts it afresh.
  return buckets.map(({ key, policies }) => ({
    key,
    policies: policies.map((policy) => ({ ...policy, limit: Math.floor(policy.limit / n) })),
  }));
}

/** The refusal of a check whose share cannot cover its cost: every window reported full. */
function refusal(buckets: readonly RateLimitBucket[], cost: number) {
  const policies = keyedWindows(buckets, cost).map((w) => w.policy);
  const nowMs = Date.now();
  const states = policies.map((p) => ({ start: nowMs, count: p.limit }));
  return summarizeRateLimit({ nowMs, policies, states, cost, allowed: false });
}

/**
 * Limits decided on this node alone, among `nodes()` that each do the same (ADR 0007): each admits
 * its share, so together they never admit more than the limit (fewer when demand is uneven).
 */
export function createShareRateLimiter(inner: RateLimiter, nodes: () => number): RateLimiter {
  const plan = (buckets: readonly RateLimitBucket[], cost: number) => {
    const shared = shareOf(buckets, nodes());
    const need = Math.max(1, cost);
    return shared.some((b) => b.policies.some((p) => p.limit < need)) ? null : shared;
  };
  const limiter: RateLimiter = {
    check: (key, policies, cost = 1) => limiter.checkMany([{ key, policies }], cost),
    async checkMany(buckets, cost = 1) {
      const shared = plan(buckets, cost);
      return shared === null ? refusal(buckets, cost) : inner.checkMany(shared, cost);
    },
    close: () => inner.close(),
  };
  const now = inner.checkManyNow?.bind(inner);
  if (now)
    limiter.checkManyNow = (buckets, cost = 1) => {
      const shared = plan(buckets, cost);
      return shared === null ? refusal(buckets, cost) : now(shared, cost);
    };
  return limiter;
}
