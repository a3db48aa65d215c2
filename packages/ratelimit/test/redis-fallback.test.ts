import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisRateLimiter, type RedisRateLimiter } from '../src/index.ts';
import { freePort, randomPrefix, startRedisServer, stopProcess, waitFor } from './support.ts';

const perMinute = { limit: 100, windowSeconds: 60 };
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
});
