import type { ProjectId, TokenId } from '@keyward/core';
import type { LastUsedUpdate, Storage, UsageIncrement } from '@keyward/storage';
import type { Logger } from 'pino';

export const USAGE_BUCKET_MS = 3_600_000;
export const LAST_USED_IPS = 5;

export type UsageRecorderOptions = {
  storage: Storage;
  now: () => number;
  flushIntervalMs: number;
  logger: Logger;
  /** Tokens whose last IPs are remembered between flushes (so a flush needs no read for them). */
  maxKnownTokens?: number;
};

export type UsageStats = {
  /** Counter and last-used entries waiting for the next flush. */
  bufferedEntries: number;
  /** Age of the oldest unflushed count (ms), 0 when the buffer is empty. */
  lagMs: number;
  flushes: number;
  failedFlushes: number;
  lastFlushDurationMs: number;
};

type Count = UsageIncrement & { key: string };
type Stamp = { projectId: ProjectId; at: number; ips: string[] };

/** Newest first, no duplicates, at most LAST_USED_IPS. */
function mergeIps(newer: readonly string[], older: readonly string[]): string[] {
  const out: string[] = [];
  for (const ip of newer) if (!out.includes(ip)) out.push(ip);
  for (const ip of older) if (out.length < LAST_USED_IPS && !out.includes(ip)) out.push(ip);
  return out.slice(0, LAST_USED_IPS);
}

/**
 * Usage without a write per request: counts by token, outcome and hour, and last-used stamps, are
 * kept in memory and written in one batch per interval (and on close). A failed flush keeps its
 * counts for the next one.
 */
export function createUsageRecorder({
  storage,
  now,
  flushIntervalMs,
  logger,
  maxKnownTokens = 100_000,
}: UsageRecorderOptions) {
  let counts = new Map<string, Count>();
  let stamps = new Map<TokenId, Stamp>();
  /** The last IPs as stored by our previous flushes, so a flush merges without reading them back. */
  const knownIps = new Map<TokenId, string[]>();
  let oldestAt: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const stats = { flushes: 0, failedFlushes: 0, lastFlushDurationMs: 0 };

  function addCount(tokenId: TokenId, outcome: string, bucketStart: number, n: number): void {
    const key = `${tokenId}|${outcome}|${bucketStart}`;
    const entry = counts.get(key);
    if (entry) entry.count += n;
    else counts.set(key, { key, tokenId, bucketStart, outcome, count: n });
  }

  /**
   * Counts one attempt of a known token. `ip` stamps last used and must be given only for an
   * admitted request: refused and failed attempts are counted but never stamp.
   */
  function record(tokenId: TokenId, projectId: ProjectId, outcome: string, ip: string | null): void {
    const at = now();
    oldestAt ??= at;
    addCount(tokenId, outcome, at - (at % USAGE_BUCKET_MS), 1);
    if (ip === null) return;
    const stamp = stamps.get(tokenId);
    if (stamp === undefined) {
      stamps.set(tokenId, { projectId, at, ips: [ip] });
      return;
    }
    if (at > stamp.at) stamp.at = at;
    if (stamp.ips[0] !== ip) stamp.ips = mergeIps([ip], stamp.ips);
  }

  /** Counts `count` attempts at once (a provider SDK's batch); `lastUsed` stamps like `record`'s ip. */
  function recordMany(
    tokenId: TokenId,
    projectId: ProjectId,
    outcome: string,
    count: number,
    lastUsed: { at: number; ips: readonly string[] } | null,
  ): void {
    const at = now();
    oldestAt ??= at;
    if (count > 0) addCount(tokenId, outcome, at - (at % USAGE_BUCKET_MS), count);
    if (lastUsed === null) return;
    const stamp = stamps.get(tokenId);
    if (stamp === undefined)
      stamps.set(tokenId, { projectId, at: lastUsed.at, ips: mergeIps(lastUsed.ips, []) });
    else {
      if (lastUsed.at > stamp.at) stamp.at = lastUsed.at;
      stamp.ips = mergeIps(lastUsed.ips, stamp.ips);
    }
  }

  async function storedIps(id: TokenId, projectId: ProjectId): Promise<string[]> {
    const known = knownIps.get(id);
    if (known) return known;
    // First use of this token since start: read what earlier processes stored, once.
    return (await storage.tokens.get(projectId, id))?.lastUsedIps ?? [];
  }

  function remember(id: TokenId, ips: string[]): void {
    knownIps.delete(id);
    knownIps.set(id, ips);
    if (knownIps.size > maxKnownTokens) {
      const oldest = knownIps.keys().next().value;
      if (oldest !== undefined) knownIps.delete(oldest);
    }
  }

  async function flushOnce(): Promise<void> {
    if (counts.size === 0 && stamps.size === 0) return;
    const batchCounts = counts;
    const batchStamps = stamps;
    const batchOldest = oldestAt;
    counts = new Map();
    stamps = new Map();
    oldestAt = null;
    const started = performance.now();
    try {
      const lastUsed: LastUsedUpdate[] = await Promise.all(
        [...batchStamps].map(async ([tokenId, s]) => ({
          tokenId,
          at: s.at,
          ips: mergeIps(s.ips, await storedIps(tokenId, s.projectId)),
        })),
      );
      await storage.tokens.recordUsage(
        lastUsed,
        [...batchCounts.values()].map(({ tokenId, bucketStart, outcome, count }) => ({
          tokenId,
          bucketStart,
          outcome,
          count,
        })),
      );
      for (const u of lastUsed) remember(u.tokenId, u.ips);
      stats.flushes++;
    } catch (error) {
      stats.failedFlushes++;
      logger.error({ err: error }, 'usage flush failed; keeping the counts for the next flush');
      for (const c of batchCounts.values()) addCount(c.tokenId, c.outcome, c.bucketStart, c.count);
      for (const [tokenId, s] of batchStamps) {
        const current = stamps.get(tokenId);
        if (!current) stamps.set(tokenId, s);
        else current.ips = mergeIps(current.ips, s.ips);
      }
      if (batchOldest !== null) oldestAt = Math.min(oldestAt ?? batchOldest, batchOldest);
      throw error;
    } finally {
      stats.lastFlushDurationMs = performance.now() - started;
    }
  }

  /** Writes everything buffered so far in one batch; flushes never overlap. */
  function flush(): Promise<void> {
    const next = running.then(flushOnce);
    running = next.catch(() => undefined);
    return next;
  }

  return {
    record,
    recordMany,
    flush,
    start(): void {
      if (timer) return;
      timer = setInterval(() => {
        flush().catch(() => undefined);
      }, flushIntervalMs);
      timer.unref();
    },
    /** Stops the timer and writes what is left. */
    async close(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await flush();
    },
    stats(): UsageStats {
      return {
        bufferedEntries: counts.size + stamps.size,
        lagMs: oldestAt === null ? 0 : Math.max(0, now() - oldestAt),
        ...stats,
      };
    },
  };
}

export type UsageRecorder = ReturnType<typeof createUsageRecorder>;
