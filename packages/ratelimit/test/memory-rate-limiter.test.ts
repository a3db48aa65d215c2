import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../src/index.ts';

const perMinute = { limit: 100, windowSeconds: 60 };

describe('memory rate limiter', () => {
  it('admits exactly 100 of 1,000 concurrent checks against 100/minute', async () => {
    const limiter = createMemoryRateLimiter();
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => limiter.check('tok_a', [perMinute])),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
    const refused = results.find((r) => !r.allowed);
    expect(refused?.mostRestrictive).toMatchObject({ limit: 100, remaining: 0 });
    expect(refused?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('keeps keys apart, so failed-auth throttling by IP shares the store', async () => {
    const limiter = createMemoryRateLimiter();
    const policy = { limit: 1, windowSeconds: 60 };
    expect((await limiter.check('ip:203.0.113.7', [policy])).allowed).toBe(true);
    expect((await limiter.check('ip:203.0.113.7', [policy])).allowed).toBe(false);
    expect((await limiter.check('ip:203.0.113.8', [policy])).allowed).toBe(true);
  });

  it('applies token and project windows together and charges neither on refusal', async () => {
    const limiter = createMemoryRateLimiter();
    const token = { key: 'tok_a', policies: [{ limit: 2, windowSeconds: 60, name: 'token-60s' }] };
    const project = { key: 'prj_a', policies: [{ limit: 3, windowSeconds: 60, name: 'project-60s' }] };
    expect((await limiter.checkMany([token, project])).allowed).toBe(true);
    expect((await limiter.checkMany([token, project])).allowed).toBe(true);
    const refused = await limiter.checkMany([token, project]);
    expect(refused).toMatchObject({ allowed: false, mostRestrictive: { name: 'token-60s' } });
    expect(refused.windows.map((w) => w.remaining)).toEqual([0, 1]);
    // The project window still holds exactly the one request the refusal did not take.
    const other = { key: 'tok_b', policies: [] };
    expect((await limiter.checkMany([other, project])).allowed).toBe(true);
    expect((await limiter.checkMany([other, project])).allowed).toBe(false);
  });

  it('begins a window with the first request, resets it windowSeconds later and forgets ended ones', async () => {
    let now = 1_700_000_000_000;
    const limiter = createMemoryRateLimiter({ clock: () => now, sweepIntervalMs: 1_000 });
    const policies = [{ limit: 2, windowSeconds: 10 }];
    expect((await limiter.check('a', policies)).windows[0]).toMatchObject({ remaining: 1, resetSeconds: 10 });
    now += 4_000;
    await limiter.check('a', policies);
    const refused = await limiter.check('a', policies);
    expect(refused).toMatchObject({
      allowed: false,
      retryAfterSeconds: 6,
      mostRestrictive: { resetSeconds: 6 },
    });
    now += 6_000 - 1;
    expect((await limiter.check('a', policies)).allowed).toBe(false);
    now += 1;
    expect((await limiter.check('a', policies)).windows[0]).toMatchObject({ remaining: 1, resetSeconds: 10 });
    await limiter.check('b', [{ limit: 5, windowSeconds: 1 }]);
    expect(limiter.size()).toBe(2);
    now += 60_000;
    await limiter.check('c', []);
    expect(limiter.size()).toBe(0);
  });

  it('peeks with cost 0 without counting or beginning a window, refusing once a window is full', async () => {
    let now = 1_700_000_000_000;
    const limiter = createMemoryRateLimiter({ clock: () => now });
    const policies = [{ limit: 2, windowSeconds: 60 }];
    expect(await limiter.check('ip:a', policies, 0)).toMatchObject({
      allowed: true,
      windows: [{ remaining: 2 }],
    });
    expect(limiter.size()).toBe(0);
    now += 5_000;
    await limiter.check('ip:a', policies);
    await limiter.check('ip:a', policies);
    now += 10_000;
    const peek = await limiter.check('ip:a', policies, 0);
    expect(peek).toMatchObject({ allowed: false, retryAfterSeconds: 50, mostRestrictive: { remaining: 0 } });
    now += 50_000;
    expect((await limiter.check('ip:a', policies, 0)).allowed).toBe(true);
  });

  it('stays within maxEntries', async () => {
    const limiter = createMemoryRateLimiter({ maxEntries: 10 });
    for (let i = 0; i < 50; i++) await limiter.check(`ip:${i}`, [{ limit: 5, windowSeconds: 3600 }]);
    expect(limiter.size()).toBe(10);
  });

  it('rejects policies and costs no store can apply', async () => {
    const limiter = createMemoryRateLimiter();
    await expect(limiter.check('a', [{ limit: 0, windowSeconds: 60 }])).rejects.toThrow(RangeError);
    await expect(limiter.check('a', [{ limit: 2, windowSeconds: 60 }], 3)).rejects.toThrow(RangeError);
  });
});
