import { decideRateLimit, emissionIntervalMicros, type RateLimitPolicy } from '@keyward/core';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { gcraScript } from '../src/gcra-script.ts';
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

  it('reports headroom like the core decision and expires its keys', async () => {
    const prefix = randomPrefix();
    const store = await limiter(prefix);
    const policies = [{ limit: 10, windowSeconds: 1 }, perMinute];
    const first = await store.check('tok_a', policies);
    expect(first.windows.map((w) => [w.name, w.remaining])).toEqual([
      ['1s', 9],
      ['60s', 99],
    ]);
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${prefix}*`);
      expect(keys).toHaveLength(2);
      for (const key of keys) {
        const ttl = await redis.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60_000);
      }
    } finally {
      redis.disconnect();
    }
  });
});

describe('the Lua script', () => {
  const redis = new Redis(REDIS_URL);
  afterAll(() => redis.disconnect());
  const script = gcraScript('argument');

  it('takes the same decisions as decideRateLimit, step for step', async () => {
    const policyArb = fc.record({
      limit: fc.integer({ min: 1, max: 20 }),
      windowSeconds: fc.integer({ min: 1, max: 86_400 }),
    });
    const stepArb = fc.record({
      gap: fc.integer({ min: 0, max: 5_000_000 }),
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
        async (policies: RateLimitPolicy[], steps) => {
          const prefix = randomPrefix();
          const keys = policies.map((_, i) => `${prefix}${i}`);
          const maxCost = Math.min(...policies.map((p) => p.limit));
          let tats: (number | null)[] = policies.map(() => null);
          let now = 1_700_000_000_000_000;
          for (const { gap, cost: wanted } of steps) {
            now += gap;
            const cost = Math.min(wanted, maxCost);
            const expected = decideRateLimit({ nowMicros: now, policies, tats, cost });
            const args = [cost, ...policies.flatMap((p) => [p.limit, emissionIntervalMicros(p)]), now];
            const reply = await redis.eval(script, keys.length, ...keys, ...args);
            expect(reply).toEqual([
              expected.nextTats === null ? 0 : 1,
              ...expected.outcomes.flatMap((o) => [o.debt, o.excess]),
            ]);
            if (expected.nextTats !== null) tats = expected.nextTats;
          }
          await redis.del(...keys);
        },
      ),
      { numRuns: 40 },
    );
  });
});
