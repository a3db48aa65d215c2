import {
  decideRateLimit,
  type RateLimitPolicy,
  type RateLimitWindowState,
  windowLengthMs,
} from '@keyward/core';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fixedWindowScript } from '../src/fixed-window-script.ts';
import { createRedisRateLimiter, type RedisRateLimiter } from '../src/index.ts';
import { REDIS_URL, randomPrefix } from './support.ts';

const perMinute = { limit: 100, windowSeconds: 60 };
const open: RedisRateLimiter[] = [];

async function limiter(keyPrefix: string): Promise<RedisRateLimiter> {
  const created = createRedisRateLimiter({ url: REDIS_URL, keyPrefix });
  open.push(created);
  expect(await created.waitUntilReady()).toBe(true);
  return created;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

describe('redis rate limiter', () => {
  it('admits exactly 100 of 1,000 concurrent checks against 100/minute', async () => {
    const store = await limiter(randomPrefix());
    const results = await Promise.all(Array.from({ length: 1000 }, () => store.check('tok_a', [perMinute])));
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
    expect(store.mode()).toBe('redis');
    expect(store.fallbackChecks()).toBe(0);
  });

  it('admits exactly 100 of 3,000 checks spread over three nodes sharing a prefix', async () => {
    const prefix = randomPrefix();
    const nodes = await Promise.all([limiter(prefix), limiter(prefix), limiter(prefix)]);
    const results = await Promise.all(
      Array.from({ length: 3000 }, (_, i) => nodes[i % 3]?.check('tok_shared', [perMinute])),
    );
    expect(results.filter((r) => r?.allowed)).toHaveLength(100);
    expect(nodes.map((n) => n.mode())).toEqual(['redis', 'redis', 'redis']);
  });

  it('applies every window atomically and charges none on refusal', async () => {
    const store = await limiter(randomPrefix());
    const token = { key: 'tok_a', policies: [{ limit: 2, windowSeconds: 60, name: 'token-60s' }] };
    const project = { key: 'prj_a', policies: [{ limit: 3, windowSeconds: 60, name: 'project-60s' }] };
    await store.checkMany([token, project]);
    await store.checkMany([token, project]);
    const refused = await store.checkMany([token, project]);
    expect(refused).toMatchObject({ allowed: false, mostRestrictive: { name: 'token-60s', remaining: 0 } });
    expect(refused.windows.map((w) => w.remaining)).toEqual([0, 1]);
    expect((await store.check('prj_a', project.policies)).allowed).toBe(true);
    expect((await store.check('prj_a', project.policies)).allowed).toBe(false);
  });

  it('reports headroom like the core decision and expires each key at its window end', async () => {
    const prefix = randomPrefix();
    const store = await limiter(prefix);
    const policies = [{ limit: 10, windowSeconds: 10 }, perMinute];
    const first = await store.check('tok_a', policies);
    expect(first.windows.map((w) => [w.name, w.remaining, w.resetSeconds])).toEqual([
      ['10s', 9, 10],
      ['60s', 99, 60],
    ]);
    const redis = new Redis(REDIS_URL);
    try {
      const keys = (await redis.keys(`${prefix}*`)).sort();
      expect(keys).toEqual([`${prefix}tok_a|fw:100/60s`, `${prefix}tok_a|fw:10/10s`].sort());
      for (const key of keys) {
        const window = key.endsWith('/60s') ? 60_000 : 10_000;
        expect(await redis.hget(key, 'c')).toBe('1');
        const ttl = await redis.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(window);
      }
    } finally {
      redis.disconnect();
    }
  });

  it('peeks with cost 0: counts nothing and refuses once a window is full', async () => {
    const prefix = randomPrefix();
    const store = await limiter(prefix);
    const policies = [{ limit: 2, windowSeconds: 60 }];
    expect(await store.check('ip:a', policies, 0)).toMatchObject({
      allowed: true,
      windows: [{ remaining: 2 }],
    });
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
    await store.check('ip:a', policies);
    expect((await store.check('ip:a', policies, 0)).allowed).toBe(true);
    await store.check('ip:a', policies);
    const full = await store.check('ip:a', policies, 0);
    expect(full).toMatchObject({ allowed: false, mostRestrictive: { remaining: 0 } });
    expect(full.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(full.retryAfterSeconds).toBeLessThanOrEqual(60);
  });
});

describe('the Lua script', () => {
  const redis = new Redis(REDIS_URL);
  afterAll(() => redis.disconnect());
  const script = fixedWindowScript('argument');

  /** Runs the script at a given time (ms) and reads back what it stored. */
  async function step(keys: string[], policies: readonly RateLimitPolicy[], cost: number, now: number) {
    const args = [cost, ...policies.flatMap((p) => [p.limit, windowLengthMs(p)]), now];
    const reply = await redis.eval(script, keys.length, ...keys, ...args);
    const stored = await Promise.all(keys.map((k) => redis.hmget(k, 's', 'c')));
    return {
      reply,
      stored: stored.map(([s, c]) => (s === null ? null : { start: Number(s), count: Number(c) })),
    };
  }

  it('takes the same decisions as decideRateLimit, step for step', async () => {
    const policyArb = fc.record({
      limit: fc.integer({ min: 1, max: 20 }),
      windowSeconds: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 86_400 })),
    });
    // Times move in whole seconds so that every window ends at least a second after the step that
    // wrote it: Redis expires keys in real time, and the replay must not outrun it.
    const stepArb = fc.record({
      gap: fc.integer({ min: 0, max: 4 }),
      cost: fc.integer({ min: 0, max: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(policyArb, {
          minLength: 1,
          maxLength: 3,
          selector: (p) => `${p.limit}/${p.windowSeconds}`,
        }),
        fc.array(stepArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 999 }),
        async (policies: RateLimitPolicy[], steps, offsetMs) => {
          const prefix = randomPrefix();
          const keys = policies.map((_, i) => `${prefix}${i}`);
          const maxCost = Math.min(...policies.map((p) => p.limit));
          let windows: (RateLimitWindowState | null)[] = policies.map(() => null);
          let now = 1_700_000_000_000 + offsetMs;
          for (const { gap, cost: wanted } of steps) {
            now += gap * 1_000;
            const cost = Math.min(wanted, maxCost);
            const expected = decideRateLimit({ nowMs: now, policies, windows, cost });
            const { reply, stored } = await step(keys, policies, cost, now);
            expect(reply).toEqual([
              expected.result.allowed ? 1 : 0,
              now,
              ...expected.states.flatMap((w) => [w.start, w.count]),
            ]);
            if (expected.next !== null) {
              windows = expected.next;
              expect(stored).toEqual(expected.next);
            }
          }
          await redis.del(...keys);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('ends a window at exactly windowSeconds, to the millisecond', async () => {
    const policies = [{ limit: 1, windowSeconds: 10 }];
    const keys = [`${randomPrefix()}0`];
    const t = 1_700_000_000_123;
    expect((await step(keys, policies, 1, t)).reply).toEqual([1, t, t, 1]);
    expect((await step(keys, policies, 1, t + 9_999)).reply).toEqual([0, t + 9_999, t, 1]);
    expect((await step(keys, policies, 1, t + 10_000)).reply).toEqual([1, t + 10_000, t + 10_000, 1]);
    await redis.del(...keys);
  });
});
