import {
  decideRateLimit,
  type RateLimitPolicy,
  type RateLimitResult,
  type RateLimitWindowState,
  windowLengthMs,
} from '@keyward/core';
import type { RateLimitBucket } from './types.ts';
import { keyedWindows, stateKey } from './windows.ts';

export type MemoryRateLimiterOptions = {
  /** Milliseconds since the epoch; defaults to Date.now. */
  clock?: () => number;
  /** How often (in clock time) ended windows are swept on the next check. */
  sweepIntervalMs?: number;
  /**
   * Hard cap on stored windows (many client IPs under attack). Past it the oldest entries are
   * dropped, which forgets their counts: memory stays bounded at the cost of leniency.
   */
  maxEntries?: number;
};

/** A stored window and when it ends (ms); an entry that has ended is the same as no entry. */
type Entry = RateLimitWindowState & { end: number };

/** Exact on one node: each check reads and writes its windows synchronously, so it is atomic. */
export function createMemoryRateLimiter({
  clock = Date.now,
  sweepIntervalMs = 10_000,
  maxEntries = 1_000_000,
}: MemoryRateLimiterOptions = {}) {
  const entries = new Map<string, Entry>();
  let lastSweepMs = -Infinity;

  function sweep(nowMs: number): void {
    lastSweepMs = nowMs;
    for (const [k, entry] of entries) if (entry.end <= nowMs) entries.delete(k);
  }

  function store(k: string, entry: Entry, nowMs: number): void {
    const existing = entries.get(k);
    if (existing !== undefined && existing.start === entry.start) {
      entries.set(k, entry);
      return;
    }
    // A new window goes to the back of the Map, so the front holds the oldest windows.
    entries.delete(k);
    if (entries.size >= maxEntries) {
      sweep(nowMs);
      const oldest = entries.keys().next();
      if (entries.size >= maxEntries && !oldest.done) entries.delete(oldest.value);
    }
    entries.set(k, entry);
  }

  function decide(buckets: readonly RateLimitBucket[], cost = 1): RateLimitResult {
    const windows = keyedWindows(buckets, cost);
    const nowMs = Math.floor(clock());
    if (nowMs - lastSweepMs >= sweepIntervalMs) sweep(nowMs);
    const keys = windows.map((w) => stateKey(w.key, w.policy));
    const policies = windows.map((w) => w.policy);
    const decision = decideRateLimit({
      nowMs,
      policies,
      windows: keys.map((k) => entries.get(k) ?? null),
      cost,
    });
    decision.next?.forEach((state, i) => {
      const k = keys[i];
      const policy = policies[i];
      if (k !== undefined && policy !== undefined)
        store(k, { ...state, end: state.start + windowLengthMs(policy) }, nowMs);
    });
    return decision.result;
  }

  const limiter = {
    check: async (key: string, policies: readonly RateLimitPolicy[], cost = 1) =>
      decide([{ key, policies }], cost),
    checkMany: async (buckets: readonly RateLimitBucket[], cost = 1) => decide(buckets, cost),
    checkManyNow: decide,
    async close() {
      entries.clear();
    },
    size() {
      return entries.size;
    },
  };
  return limiter;
}
