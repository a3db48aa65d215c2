import {
  type LeaseGrant,
  type LeaseStore,
  nodeLeaseWant,
  type RateLimitPolicy,
  type RateLimitResult,
  summarizeRateLimit,
  windowLengthMs,
} from '@keyward/core';
import type { RateLimitBucket, RateLimiter } from './types.ts';
import { keyedWindows, stateKey } from './windows.ts';

export type LeaseRateLimiterOptions = {
  store: LeaseStore;
  /** Live nodes sharing every window (this one included). */
  nodes: () => number;
  /** Units are not spent closer than this to their window's end (clock skew, round trips). */
  marginMs?: number;
  /** How often ended windows are deleted from the store; 0 never. */
  pruneIntervalMs?: number;
};

/** Units this node holds of one shared window. */
type Held = {
  /** The window's start in the store's clock: units of one window are never spent in the next. */
  start: number;
  /** The same instant in local time. */
  startLocal: number;
  /** Local time after which the units are dropped unspent. */
  spendUntil: number;
  left: number;
  lastGrant: number;
  /** The shared count at the last ask (every node's grants). */
  count: number;
  /** The shared window was full at the last ask: refused here, without asking, until it ends. */
  full: boolean;
};

type Window = { id: string; policy: RateLimitPolicy };

/**
 * Limits counted in the database and spent from leases (ADR 0016): a node asks the shared window
 * for a few units at a time and spends them without I/O. Every admitted unit was granted by one
 * atomic statement, so all nodes together never admit more than the limit, through restarts of a
 * node, of Redis or of the database itself; units a node still holds when it dies or a window ends
 * are simply not admitted (fewer, never more).
 */
export function createLeaseRateLimiter({
  store,
  nodes,
  marginMs = 250,
  pruneIntervalMs = 60_000,
}: LeaseRateLimiterOptions): RateLimiter & { mode(): 'database' } {
  const held = new Map<string, Held>();
  const asking = new Map<string, Promise<void>>();
  const waiting = new Map<string, number>();
  const pruner =
    pruneIntervalMs > 0 ? setInterval(() => void store.prune().catch(() => 0), pruneIntervalMs) : null;
  pruner?.unref();

  function current(w: Window, nowMs: number): Held | undefined {
    const h = held.get(w.id);
    if (h !== undefined && nowMs >= h.spendUntil) {
      held.delete(w.id);
      return undefined;
    }
    return h;
  }

  function take(grant: LeaseGrant, w: Window, sentAt: number): void {
    const receivedAt = Date.now();
    // The store's clock read between send and receive: its offset is known to within the round trip.
    const offset = grant.nowMs - (sentAt + receivedAt) / 2;
    const before = held.get(w.id);
    const sameWindow = before !== undefined && before.start === grant.start;
    held.set(w.id, {
      start: grant.start,
      startLocal: grant.start - offset,
      spendUntil: grant.start + windowLengthMs(w.policy) - offset - marginMs - (receivedAt - sentAt),
      left: (sameWindow ? before.left : 0) + grant.granted,
      lastGrant: grant.granted,
      count: grant.count,
      full: grant.count >= w.policy.limit,
    });
  }

  async function ask(windows: Window[], need: number): Promise<void> {
    const nowMs = Date.now();
    const requests = windows.map((w) => {
      const h = current(w, nowMs);
      const shortfall = Math.max(1, need - (h?.left ?? 0));
      const want = nodeLeaseWant({
        shortfall,
        demand: need * (waiting.get(w.id) ?? 1),
        lastGrant: h?.lastGrant ?? 0,
        remaining: h ? w.policy.limit - h.count : w.policy.limit,
        nodes: nodes(),
      });
      return { key: w.id, limit: w.policy.limit, windowMs: windowLengthMs(w.policy), want };
    });
    const grants = await store.grant(requests);
    const byKey = new Map(windows.map((w) => [w.id, w]));
    for (const grant of grants) {
      const w = byKey.get(grant.key);
      if (w !== undefined) take(grant, w, nowMs);
    }
  }

  /** One ask per window at a time: concurrent checks short of the same window wait for it. */
  async function refill(windows: Window[], need: number): Promise<void> {
    const pending = windows.map((w) => asking.get(w.id)).filter((p) => p !== undefined);
    const fresh = windows.filter((w) => !asking.has(w.id));
    if (fresh.length > 0) {
      const request = ask(fresh, need).finally(() => {
        for (const w of fresh) asking.delete(w.id);
      });
      for (const w of fresh) asking.set(w.id, request);
      pending.push(request);
    }
    await Promise.all(pending);
  }

  function result(windows: Window[], cost: number, allowed: boolean) {
    const nowMs = Date.now();
    const policies = windows.map((w) => w.policy);
    const need = Math.max(1, cost);
    const states = windows.map((w) => {
      const h = current(w, nowMs);
      if (h === undefined) return { start: nowMs, count: allowed ? 0 : w.policy.limit };
      // Left in the shared window, plus what this node holds; full when it cannot cover the check.
      const remaining = Math.max(0, w.policy.limit - h.count) + h.left;
      return {
        start: h.startLocal,
        count: !allowed && h.left < need ? w.policy.limit : w.policy.limit - remaining,
      };
    });
    return summarizeRateLimit({ nowMs, policies, states, cost, allowed });
  }

  const windowsOf = (buckets: readonly RateLimitBucket[], cost: number): Window[] =>
    keyedWindows(buckets, cost).map((w) => ({ id: stateKey(w.key, w.policy), policy: w.policy }));

  /** The answer from the units held here, or the windows to ask for first. */
  function decideHere(windows: Window[], cost: number): RateLimitResult | Window[] {
    const need = Math.max(1, cost);
    const nowMs = Date.now();
    const states = windows.map((w) => current(w, nowMs));
    const short = windows.filter((_, i) => (states[i]?.left ?? 0) < need);
    if (short.length === 0) {
      for (const h of states) if (h !== undefined) h.left -= cost;
      return result(windows, cost, true);
    }
    return short.some((w) => held.get(w.id)?.full) ? result(windows, cost, false) : short;
  }

  async function checkMany(buckets: readonly RateLimitBucket[], cost = 1) {
    const windows = windowsOf(buckets, cost);
    for (const w of windows) waiting.set(w.id, (waiting.get(w.id) ?? 0) + 1);
    try {
      // Each round either finds units, or asks the store, which grants some or says the window is
      // full: a check is refused only then (units taken by concurrent checks mean another round).
      for (;;) {
        const decided = decideHere(windows, cost);
        if (!Array.isArray(decided)) return decided;
        await refill(decided, Math.max(1, cost));
      }
    } finally {
      for (const w of windows) {
        const n = (waiting.get(w.id) ?? 1) - 1;
        if (n > 0) waiting.set(w.id, n);
        else waiting.delete(w.id);
      }
    }
  }

  return {
    check: (key, policies, cost = 1) => checkMany([{ key, policies }], cost),
    checkMany,
    checkManyNow(buckets, cost = 1) {
      const decided = decideHere(windowsOf(buckets, cost), cost);
      return Array.isArray(decided) ? undefined : decided;
    },
    mode: () => 'database',
    async close() {
      if (pruner) clearInterval(pruner);
      const nowMs = Date.now();
      const unspent = [...held].filter(([, h]) => h.left > 0 && nowMs < h.spendUntil);
      held.clear();
      await Promise.all(unspent.map(([id, h]) => store.refund(id, h.start, h.left).catch(() => {})));
    },
  };
}
