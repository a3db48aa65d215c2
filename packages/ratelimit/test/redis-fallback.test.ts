import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisRateLimiter, type RedisRateLimiter } from '../src/index.ts';
import { freePort, randomPrefix, startRedisServer, stopProcess, waitFor } from './support.ts';

const perMinute = { limit: 100, windowSeconds: 60 };
const threePerMinute = [{ limit: 3, windowSeconds: 60 }];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track(limiter: RedisRateLimiter): RedisRateLimiter {
  cleanups.push(() => limiter.close());
  return limiter;
}

describe('redis rate limiter without redis', () => {
  it('falls back to an exact per-node limiter without throwing and logs once', async () => {
    const port = await freePort();
    const fallbacks: unknown[] = [];
    const limiter = track(
      createRedisRateLimiter({
        url: `redis://127.0.0.1:${port}`,
        keyPrefix: randomPrefix(),
        onFallback: (error) => fallbacks.push(error),
      }),
    );
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => limiter.check('tok_a', [perMinute])),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
    expect(limiter.mode()).toBe('fallback');
    expect(limiter.fallbackChecks()).toBe(1000);
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toBeInstanceOf(Error);
  });

  it('survives its redis-server dying and returns to it when it is back', async () => {
    const port = await freePort();
    let server: ChildProcess = startRedisServer(port);
    cleanups.push(() => stopProcess(server));
    const events: string[] = [];
    const limiter = track(
      createRedisRateLimiter({
        url: `redis://127.0.0.1:${port}`,
        keyPrefix: randomPrefix(),
        onFallback: () => events.push('fallback'),
        onRecover: () => events.push('recover'),
      }),
    );
    await waitFor(() => limiter.waitUntilReady(500));
    const policies = [{ limit: 3, windowSeconds: 60 }];
    expect((await limiter.check('tok_a', policies)).allowed).toBe(true);
    expect(limiter.mode()).toBe('redis');

    await stopProcess(server);
    for (let i = 0; i < 5; i++) await limiter.check('tok_a', policies);
    expect(limiter.mode()).toBe('fallback');
    expect(events).toEqual(['fallback']);

    server = startRedisServer(port);
    // The connection may look ready for a moment before ioredis notices the old socket died.
    await waitFor(async () => {
      await limiter.check('probe', policies);
      return limiter.mode() === 'redis';
    });
    // A restarted server has lost the script cache (NOSCRIPT → EVAL) and, without persistence, the state.
    const back = await limiter.check('tok_a', policies);
    expect(limiter.mode()).toBe('redis');
    expect(back.windows[0]?.remaining).toBe(2);
    expect(events).toEqual(['fallback', 'recover']);
  });

  it('reports fallback until its connection is first ready, then decides in Redis', async () => {
    const port = await freePort();
    const limiter = track(
      createRedisRateLimiter({ url: `redis://127.0.0.1:${port}`, keyPrefix: randomPrefix() }),
    );
    expect(limiter.mode()).toBe('fallback');
    expect((await limiter.check('tok_a', threePerMinute)).allowed).toBe(true);
    expect(limiter.fallbackChecks()).toBe(1);

    const server = startRedisServer(port);
    cleanups.push(() => stopProcess(server));
    await waitFor(() => limiter.waitUntilReady(500));
    expect(limiter.mode()).toBe('redis');
    expect((await limiter.check('tok_a', threePerMinute)).windows[0]?.remaining).toBe(2);
    expect(limiter.fallbackChecks()).toBe(1);
  });

  it('rides out one stalled moment, falls back after three failures in a row, and returns', async () => {
    const port = await freePort();
    const server = startRedisServer(port);
    cleanups.push(() => stopProcess(server));
    const prefix = randomPrefix();
    const events: string[] = [];
    const limiter = track(
      createRedisRateLimiter({
        url: `redis://127.0.0.1:${port}`,
        keyPrefix: prefix,
        commandTimeoutMs: 200,
        failuresBeforeFallback: 3,
        onFallback: () => events.push('fallback'),
        onRecover: () => events.push('recover'),
      }),
    );
    await waitFor(() => limiter.waitUntilReady(500));
    const policies = [{ limit: 1000, windowSeconds: 3600 }];
    expect((await limiter.check('tok_stalled', policies)).windows[0]?.remaining).toBe(999);

    // Redis stops answering (the process is frozen; its socket stays open).
    server.kill('SIGSTOP');
    // One check times out: the fallback answers it, but the mode does not change.
    expect((await limiter.check('tok_stalled', policies)).allowed).toBe(true);
    expect([limiter.mode(), limiter.fallbackChecks(), events]).toEqual(['redis', 1, []]);
    // Fifty concurrent checks time out together: one slow moment, one failure.
    const wave = await Promise.all(Array.from({ length: 50 }, () => limiter.check('tok_stalled', policies)));
    expect(wave.every((r) => r.allowed)).toBe(true);
    expect([limiter.mode(), limiter.fallbackChecks(), events]).toEqual(['redis', 51, []]);
    // The third failure in a row moves checks to the fallback, reported once.
    await limiter.check('tok_stalled', policies);
    expect([limiter.mode(), events]).toEqual(['fallback', ['fallback']]);
    await limiter.check('other', policies);
    expect(events).toEqual(['fallback']);

    server.kill('SIGCONT');
    await waitFor(async () => {
      await limiter.check('probe', policies);
      return limiter.mode() === 'redis';
    });
    expect(events).toEqual(['fallback', 'recover']);
    // The 52 checks that timed out were still applied by Redis once it ran again (ADR 0005).
    const back = await limiter.check('tok_stalled', policies);
    expect(back.windows[0]?.remaining).toBe(1000 - 1 - 52 - 1);
    const redis = new Redis(`redis://127.0.0.1:${port}`);
    try {
      expect(await redis.hget(`${prefix}tok_stalled|fw:1000/3600s`, 'c')).toBe('54');
    } finally {
      redis.disconnect();
    }
  });
});
