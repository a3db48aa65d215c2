import { emissionIntervalMicros, type GcraWindowOutcome, summarizeRateLimit } from '@keyward/core';
import { Redis } from 'ioredis';
import { GCRA_SCRIPT, GCRA_SCRIPT_SHA } from './gcra-script.ts';
import { createMemoryRateLimiter } from './memory-rate-limiter.ts';
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
  /** Called once each time checks move from Redis to the fallback. */
  onFallback?: (error: unknown) => void;
  /** Called once each time checks move back to Redis. */
  onRecover?: () => void;
  /** Per-command timeout of the connection this limiter opens itself. */
  commandTimeoutMs?: number;
};

export type RateLimiterMode = 'redis' | 'fallback';

export type RedisRateLimiter = RateLimiter & {
  /** Where the last check was decided (for a metric). */
  mode(): RateLimiterMode;
  /** How many checks the fallback has decided since start. */
  fallbackChecks(): number;
  /** Resolves true once the connection is ready (false after `timeoutMs`); for start-up and tests. */
  waitUntilReady(timeoutMs?: number): Promise<boolean>;
};

/**
 * Exact across any number of nodes: one EVALSHA per check applies every window atomically.
 * When Redis cannot answer, checks never throw: they fall back to a per-node limiter (each node
 * then enforces the limit on its own, so N nodes admit up to N × limit) until Redis is back.
 */
export function createRedisRateLimiter({
  url = 'redis://127.0.0.1:6379',
  client: givenClient,
  keyPrefix = 'keyward:rl:',
  fallback: givenFallback,
  onFallback,
  onRecover,
  commandTimeoutMs = 500,
}: RedisRateLimiterOptions = {}): RedisRateLimiter {
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
  // The limiter reports outages through onFallback; this keeps ioredis from printing each one.
  if (givenClient === undefined) client.on('error', () => {});
  const fallback = givenFallback ?? createMemoryRateLimiter();
  let mode: RateLimiterMode = 'redis';
  let fallbackChecks = 0;

  async function runScript(keys: string[], args: number[]): Promise<unknown> {
    try {
      return await client.evalsha(GCRA_SCRIPT_SHA, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return client.eval(GCRA_SCRIPT, keys.length, ...keys, ...args);
    }
  }

  function toFallback(error: unknown): void {
    if (mode === 'fallback') return;
    mode = 'fallback';
    onFallback?.(error);
  }

  const limiter: RedisRateLimiter = {
    async check(key, policies, cost = 1) {
      return limiter.checkMany([{ key, policies }], cost);
    },
    async checkMany(buckets, cost = 1) {
      const windows = keyedWindows(buckets, cost);
      const policies = windows.map((w) => w.policy);
      if (windows.length === 0) return summarizeRateLimit([], []);
      if (client.status === 'ready') {
        try {
          const keys = windows.map((w) => keyPrefix + stateKey(w.key, w.policy));
          const args = [cost, ...policies.flatMap((p) => [p.limit, emissionIntervalMicros(p)])];
          const outcomes = parseReply(await runScript(keys, args), windows.length);
          if (mode === 'fallback') {
            mode = 'redis';
            onRecover?.();
          }
          return summarizeRateLimit(policies, outcomes);
        } catch (error) {
          toFallback(error);
        }
      } else {
        toFallback(new Error(`Redis connection is ${client.status}`));
      }
      fallbackChecks++;
      return fallback.checkMany(buckets, cost);
    },
    async close() {
      if (givenClient === undefined) {
        if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
        else client.disconnect();
      }
      if (givenFallback === undefined) await fallback.close();
    },
    mode: () => mode,
    fallbackChecks: () => fallbackChecks,
    waitUntilReady(timeoutMs = 5_000) {
      if (client.status === 'ready') return Promise.resolve(true);
      return new Promise((resolve) => {
        const onReady = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          client.off('ready', onReady);
          resolve(false);
        }, timeoutMs);
        client.once('ready', onReady);
      });
    },
  };
  return limiter;
}

function parseReply(reply: unknown, windows: number): GcraWindowOutcome[] {
  if (!Array.isArray(reply) || reply.length !== 1 + 2 * windows || !reply.every((v) => typeof v === 'number'))
    throw new Error('Unexpected reply from the rate-limit script');
  const numbers = reply as number[];
  return Array.from({ length: windows }, (_, i) => ({
    debt: numbers[1 + 2 * i] ?? 0,
    excess: numbers[2 + 2 * i] ?? 0,
  }));
}
