import { assertRateLimitInput, type RateLimitPolicy } from '@keyward/core';
import type { RateLimitBucket } from './types.ts';

export type KeyedWindow = { key: string; policy: RateLimitPolicy };

/**
 * Flattens buckets into one list of windows, validating them. The same key with the same limit
 * and window twice would be charged twice, so duplicates collapse to the first.
 */
export function keyedWindows(buckets: readonly RateLimitBucket[], cost: number): KeyedWindow[] {
  const seen = new Set<string>();
  const out: KeyedWindow[] = [];
  for (const { key, policies } of buckets) {
    assertRateLimitInput(policies, cost);
    for (const policy of policies) {
      const id = stateKey(key, policy);
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ key, policy });
    }
  }
  return out;
}

/**
 * Where a window's state lives. The limit and the length are part of it, so changing a policy
 * begins that window afresh; `fw:` (fixed window) keeps it apart from the single-number GCRA state
 * earlier versions stored under `<key>|<limit>/<window>s`, which then simply expires.
 */
export function stateKey(key: string, policy: RateLimitPolicy): string {
  return `${key}|fw:${policy.limit}/${policy.windowSeconds}s`;
}
