import { decideRateLimit } from '@keyward/core';
import type { RateLimiter } from './types.ts';
import { keyedWindows, stateKey } from './windows.ts';

export type MemoryRateLimiterOptions = {
  /** Milliseconds since the epoch; defaults to Date.now. */
  clock?: () => number;
  /** How often (in clock time) expired windows are swept on the next check. */
  sweepIntervalMs?: number;
  /**
   * Hard cap on stored windows (many client IPs under attack). Past it the oldest entries are
   * dropped, which forgets their history: memory stays bounded at the cost of leniency.
   */
  maxEntries?: number;
};

/** Exact on one node: each check reads and writes its windows synchronously, so it is atomic. */
export function createMemoryRateLimiter({
  clock = Date.now,
  sweepIntervalMs = 10_000,
  maxEntries = 1_000_000,
}: MemoryRateLimiterOptions = {}): RateLimiter & { size(): number } {
  // stateKey → TAT in microseconds; an entry whose TAT has passed is the same as no entry.
  const tats = new Map<string, number>();
  let lastSweepMicros = -Infinity;

  function sweep(nowMicros: number): void {
    lastSweepMicros = nowMicros;
    for (const [k, tat] of tats) if (tat <= nowMicros) tats.delete(k);
  }

  function store(k: string, tat: number, nowMicros: number): void {
    if (!tats.has(k) && tats.size >= maxEntries) {
      sweep(nowMicros);
      const oldest = tats.keys().next();
      if (tats.size >= maxEntries && !oldest.done) tats.delete(oldest.value);
    }
    tats.set(k, tat);
  }

  const limiter: RateLimiter & { size(): number } = {
    async check(key, policies, cost = 1) {
      return limiter.checkMany([{ key, policies }], cost);
    },
    async checkMany(buckets, cost = 1) {
      const windows = keyedWindows(buckets, cost);
      const nowMicros = Math.round(clock() * 1000);
      if (nowMicros - lastSweepMicros >= sweepIntervalMs * 1000) sweep(nowMicros);
      const keys = windows.map((w) => stateKey(w.key, w.policy));
      const decision = decideRateLimit({
        nowMicros,
        policies: windows.map((w) => w.policy),
        tats: keys.map((k) => tats.get(k) ?? null),
        cost,
      });
      if (decision.nextTats !== null) {
        decision.nextTats.forEach((tat, i) => {
          const k = keys[i];
          if (k !== undefined && tat > nowMicros) store(k, tat, nowMicros);
        });
      }
      return decision.result;
    },
    async close() {
      tats.clear();
    },
    size() {
      return tats.size;
    },
  };
  return limiter;
}
