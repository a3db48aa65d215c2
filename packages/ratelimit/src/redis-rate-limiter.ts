import { type RateLimitWindowState, summarizeRateLimit, windowLengthMs } from '@keyward/core';
import { Redis } from 'ioredis';
import { FIXED_WINDOW_SCRIPT, FIXED_WINDOW_SCRIPT_SHA } from './fixed-window-script.ts';
import { createMemoryRateLimiter } from './memory-rate-limiter.ts';
import { createShareRateLimiter } from './share-rate-limiter.ts';
import type { RateLimiter } from './types.ts';
import { keyedWindows, stateKey } from './windows.ts';

export type RedisRateLimiterOptions = {
  /** Used when no client is given; default redis://127.0.0.1:6379. */
  url?: string;
  /** A shared connection; close() leaves it open. Give it a commandTimeout so a stuck Redis cannot stall checks. */
  client?: Redis;
  /** Prepended to every key, so deployments (and parallel test runs) sharing a Redis never collide. */
  keyPrefix?: string;
  /** Serves checks while Redis is unreachable; default an in-memory limiter on this node. */
  fallback?: RateLimiter;
  /** Called once each time checks move from Redis to the fallback (an outage begins). */
  onFallback?: (error: unknown) => void;
  /** Called once each time checks move back to Redis after an outage that onFallback reported. */
  onRecover?: () => void;
  /**
   * How long a check waits for Redis before this node decides it alone (the connection this
   * limiter opens itself; a given client keeps its own `commandTimeout`). Default 2,000 ms.
   */
  commandTimeoutMs?: number;
  /**
   * Failed checks in a row (timeouts, errors) on a connection that is up before the limiter
   * switches to the fallback; default 3. A lost connection switches at once. Failures of checks
   * already under way when one was counted do not add to the count, so one slow moment (a busy
   * event loop, a Redis stall) that times out many concurrent checks counts once.
   */
  failuresBeforeFallback?: number;
  /**
   * How many nodes share each limit while Redis is away (this one included; from their heartbeats).
   * The fallback then admits `floor(limit / n)` per window on this node, so the nodes together admit
   * at most the limit (fewer, never more). Default 1: the fallback decides the whole limit alone.
   */
  fallbackShare?: () => number;
  /**
   * Other live nodes deciding alone right now (their heartbeats say so): the shared count leaves
   * their shares to them, admitting `limit - reserved × floor(limit / n)` in Redis. Default 0.
   */
  reservedShares?: () => number;
};

export type RateLimiterMode = 'redis' | 'fallback';

export type RedisRateLimiter = RateLimiter & {
  /**
   * Where checks are decided now: 'redis' once the connection is ready (or Redis has answered),
   * 'fallback' before that and during an outage.
   */
  mode(): RateLimiterMode;
  /** How many checks the fallback has decided since start (outages and single failed checks alike). */
  fallbackChecks(): number;
  /** Resolves true once the connection is ready (false after `timeoutMs`); for start-up and tests. */
  waitUntilReady(timeoutMs?: number): Promise<boolean>;
};

/**
 * Exact across any number of nodes: one EVALSHA per check applies every window atomically.
 * When Redis cannot answer, checks never throw: they are decided by a per-node limiter (each node
 * then enforces the limit on its own, so N nodes admit up to N × limit) until Redis is back.
 */
export function createRedisRateLimiter({
  url = 'redis://127.0.0.1:6379',
  client: givenClient,
  keyPrefix = 'keyward:rl:',
  fallback: givenFallback,
  onFallback,
  onRecover,
  commandTimeoutMs = 2_000,
  failuresBeforeFallback = 3,
  fallbackShare = () => 1,
  reservedShares = () => 0,
}: RedisRateLimiterOptions = {}): RedisRateLimiter {
  if (!Number.isInteger(failuresBeforeFallback) || failuresBeforeFallback < 1)
    throw new RangeError('failuresBeforeFallback must be a positive integer');
  const client =
    givenClient ??
    new Redis(url, {
      // Never queue or replay a check while disconnected: the fallback answers it now instead.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    });
  const fallback = givenFallback ?? createMemoryRateLimiter();
  const fallbackShares = createShareRateLimiter(fallback, fallbackShare);

  let mode: RateLimiterMode = client.status === 'ready' ? 'redis' : 'fallback';
  /** Whether onFallback has announced the current outage (so onRecover announces its end). */
  let outageReported = false;
  let fallbackChecks = 0;
  let closed = false;
  let lastError: unknown = null;
  /** Until the connection has been up once, a failed connection attempt is not an outage to report. */
  let everReady = mode === 'redis';
  // Consecutive failures, counted once per wave: `issued` numbers scripts as they are sent, and a
  // failure counts only for a script sent after the last counted failure (`streakMark`).
  let failureStreak = 0;
  let issued = 0;
  let streakMark = 0;
  /** In fallback on a connection that looks up, one check at a time probes Redis. */
  let probing = false;

  function toFallback(error: unknown): void {
    mode = 'fallback';
    if (outageReported || closed) return;
    outageReported = true;
    onFallback?.(error);
  }

  function toRedis(): void {
    failureStreak = 0;
    if (mode === 'redis' || closed) return;
    mode = 'redis';
    if (outageReported) {
      outageReported = false;
      onRecover?.();
    }
  }

  const onReady = () => {
    everReady = true;
    lastError = null;
    toRedis();
  };
  // A lost connection moves checks to the fallback at once (reported then, not at the next check).
  const onClose = () => {
    if (everReady) toFallback(lastError ?? new Error('Redis connection closed'));
    else mode = 'fallback';
  };
  // The limiter reports outages through onFallback; this keeps ioredis from printing each one.
  const onError = (error: unknown) => {
    lastError = error;
  };
  client.on('ready', onReady);
  client.on('close', onClose);
  if (givenClient === undefined) client.on('error', onError);

  async function runScript(keys: string[], args: number[]): Promise<unknown> {
    try {
      return await client.evalsha(FIXED_WINDOW_SCRIPT_SHA, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return client.eval(FIXED_WINDOW_SCRIPT, keys.length, ...keys, ...args);
    }
  }

  const limiter: RedisRateLimiter = {
    async check(key, policies, cost = 1) {
      return limiter.checkMany([{ key, policies }], cost);
    },
    async checkMany(buckets, cost = 1) {
      const windows = keyedWindows(buckets, cost);
      const policies = windows.map((w) => w.policy);
      if (windows.length === 0)
        return summarizeRateLimit({ nowMs: 0, policies, states: [], cost, allowed: true });
      const refuse = (limits: typeof policies) => {
        const nowMs = Date.now();
        const states = limits.map((p) => ({ start: nowMs, count: p.limit }));
        return summarizeRateLimit({ nowMs, policies: limits, states, cost, allowed: false });
      };
      const decideHere = async () => {
        fallbackChecks++;
        return fallbackShares.checkMany(buckets, cost);
      };
      // ioredis sets the status a tick before it emits 'ready'.
      if (client.status === 'ready' && !everReady) onReady();
      if (client.status !== 'ready') {
        toFallback(lastError ?? new Error(`Redis connection is ${client.status}`));
        return decideHere();
      }
      const probe = mode === 'fallback';
      if (probe) {
        if (probing) return decideHere();
        probing = true;
      }
      const reserved = reservedShares();
      const nodes = Math.max(1, Math.floor(fallbackShare()));
      const limits =
        reserved > 0
          ? policies.map((p) => ({ ...p, limit: p.limit - reserved * Math.floor(p.limit / nodes) }))
          : policies;
      if (limits.some((p) => p.limit < Math.max(1, cost))) {
        if (probe) probing = false;
        return refuse(limits);
      }
      const sent = ++issued;
      try {
        // Keys name the policy as configured; the limit applied may be lower (shares reserved).
        const keys = windows.map((w) => keyPrefix + stateKey(w.key, w.policy));
        const args = [cost, ...limits.flatMap((p) => [p.limit, windowLengthMs(p)])];
        const { allowed, nowMs, states } = parseReply(await runScript(keys, args), windows.length);
        toRedis();
        return summarizeRateLimit({ nowMs, policies: limits, states, cost, allowed });
      } catch (error) {
        // A check that timed out may still have been applied by Redis (see ADR 0005).
        lastError = error;
        if (sent > streakMark) {
          failureStreak++;
          streakMark = issued;
        }
        if (failureStreak >= failuresBeforeFallback || client.status !== 'ready') toFallback(error);
        return decideHere();
      } finally {
        if (probe) probing = false;
      }
    },
    async close() {
      closed = true;
      client.off('ready', onReady);
      client.off('close', onClose);
      if (givenClient === undefined) {
        if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
        else client.disconnect();
      }
      if (givenFallback === undefined) await fallback.close();
    },
    mode: () => mode,
    fallbackChecks: () => fallbackChecks,
    waitUntilReady(timeoutMs = 5_000) {
      if (client.status === 'ready') {
        if (!everReady) onReady();
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const ready = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          client.off('ready', ready);
          resolve(false);
        }, timeoutMs);
        client.once('ready', ready);
      });
    },
  };
  return limiter;
}

function parseReply(
  reply: unknown,
  windows: number,
): { allowed: boolean; nowMs: number; states: RateLimitWindowState[] } {
  if (
    !Array.isArray(reply) ||
    reply.length !== 2 + 2 * windows ||
    !reply.every((v) => typeof v === 'number' && Number.isSafeInteger(v)) ||
    (reply[0] !== 0 && reply[0] !== 1)
  )
    throw new Error('Unexpected reply from the rate-limit script');
  const numbers = reply as number[];
  return {
    allowed: numbers[0] === 1,
    nowMs: numbers[1] ?? 0,
    states: Array.from({ length: windows }, (_, i) => ({
      start: numbers[2 + 2 * i] ?? 0,
      count: numbers[3 + 2 * i] ?? 0,
    })),
  };
}
