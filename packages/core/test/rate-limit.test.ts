import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertRateLimitInput,
  decideRateLimit,
  emissionIntervalMicros,
  formatRateLimitHeader,
  formatRateLimitPolicyHeader,
  namePolicies,
  type RateLimitPolicy,
  rateLimitHeaders,
  rateLimitPolicyProblem,
} from '../src/index.ts';

const T0 = 1_700_000_000_000_000; // an epoch time in microseconds
const SECOND = 1_000_000;

/** Replays requests against the pure decision, keeping the state the way a store would. */
function replay(policies: readonly RateLimitPolicy[], requests: readonly { at: number; cost?: number }[]) {
  let tats: (number | null)[] = policies.map(() => null);
  return requests.map(({ at, cost = 1 }) => {
    const decision = decideRateLimit({ nowMicros: at, policies, tats, cost });
    if (decision.nextTats !== null) tats = decision.nextTats;
    return decision;
  });
}

describe('decideRateLimit', () => {
  it('admits exactly the limit in a burst, keeping remaining present at 0', () => {
    const policy = { limit: 100, windowSeconds: 60 };
    const decisions = replay(
      [policy],
      Array.from({ length: 150 }, () => ({ at: T0 })),
    );
    expect(decisions.filter((d) => d.result.allowed)).toHaveLength(100);
    expect(decisions[99]?.result).toMatchObject({
      allowed: true,
      mostRestrictive: { name: '60s', limit: 100, remaining: 0, resetSeconds: 60 },
    });
    expect(decisions[100]?.result).toMatchObject({
      allowed: false,
      retryAfterSeconds: 1,
      mostRestrictive: { remaining: 0, resetSeconds: 60, retryAfterSeconds: 1 },
    });
  });

  it('counts down remaining and frees one request per emission interval', () => {
    const policy = { limit: 10, windowSeconds: 10 };
    const first = replay([policy], [{ at: T0 }]);
    expect(first[0]?.result.mostRestrictive?.remaining).toBe(9);
    expect(first[0]?.result.mostRestrictive?.resetSeconds).toBe(1);

    const burst = Array.from({ length: 10 }, () => ({ at: T0 }));
    const later = replay(
      [policy],
      [...burst, { at: T0 + SECOND - 1 }, { at: T0 + SECOND }, { at: T0 + SECOND }],
    );
    expect(later.map((d) => d.result.allowed).slice(10)).toEqual([false, true, false]);
  });

  it('admits only when every window admits, and a refusal charges no window', () => {
    const perSecond = { limit: 2, windowSeconds: 1 };
    const perMinute = { limit: 3, windowSeconds: 60 };
    const decisions = replay(
      [perSecond, perMinute],
      [{ at: T0 }, { at: T0 }, { at: T0 }, { at: T0 + 2 * SECOND }, { at: T0 + 3 * SECOND }],
    );
    expect(decisions.map((d) => d.result.allowed)).toEqual([true, true, false, true, false]);
    const refusedBySecond = decisions[2];
    expect(refusedBySecond?.nextTats).toBeNull();
    expect(refusedBySecond?.result.mostRestrictive?.name).toBe('1s');
    // The minute window still had room for exactly one more after the refused request.
    expect(decisions[3]?.result.windows.map((w) => w.remaining)).toEqual([1, 0]);
    expect(decisions[4]?.result).toMatchObject({ allowed: false, mostRestrictive: { name: '60s' } });
  });

  it('reports the window that blocks longest and, when admitted, the one with least headroom', () => {
    const policies = [
      { limit: 10, windowSeconds: 1 },
      { limit: 1000, windowSeconds: 86_400 },
    ];
    const [admitted] = replay(policies, [{ at: T0 }]);
    expect(admitted?.result.mostRestrictive).toMatchObject({ name: '1s', remaining: 9 });
    const refused = replay(
      [
        { limit: 1, windowSeconds: 1 },
        { limit: 1, windowSeconds: 60 },
      ],
      [{ at: T0 }, { at: T0 }],
    )[1];
    expect(refused?.result).toMatchObject({
      allowed: false,
      retryAfterSeconds: 60,
      mostRestrictive: { name: '60s' },
    });
  });

  it('charges the cost to every window', () => {
    const decisions = replay(
      [{ limit: 10, windowSeconds: 10 }],
      [
        { at: T0, cost: 7 },
        { at: T0, cost: 4 },
        { at: T0, cost: 3 },
      ],
    );
    expect(decisions.map((d) => [d.result.allowed, d.result.mostRestrictive?.remaining])).toEqual([
      [true, 3],
      [false, 3],
      [true, 0],
    ]);
  });

  it('admits everything with no policies', () => {
    const decision = decideRateLimit({ nowMicros: T0, policies: [], tats: [] });
    expect(decision.result).toEqual({
      allowed: true,
      retryAfterSeconds: null,
      mostRestrictive: null,
      windows: [],
    });
    expect(rateLimitHeaders(decision.result)).toEqual({});
  });
});

describe('policies', () => {
  it('rounds the emission interval up to whole microseconds', () => {
    expect(emissionIntervalMicros({ limit: 100, windowSeconds: 60 })).toBe(600_000);
    expect(emissionIntervalMicros({ limit: 7, windowSeconds: 60 })).toBe(8_571_429);
  });

  it('rejects what no store can apply', () => {
    expect(rateLimitPolicyProblem({ limit: 10, windowSeconds: 86_400 })).toBeNull();
    expect(rateLimitPolicyProblem({ limit: 0, windowSeconds: 1 })).toMatch(/limit/);
    expect(rateLimitPolicyProblem({ limit: 1.5, windowSeconds: 1 })).toMatch(/limit/);
    expect(rateLimitPolicyProblem({ limit: 1, windowSeconds: 86_401 })).toMatch(/windowSeconds/);
    expect(() => assertRateLimitInput([{ limit: 5, windowSeconds: 1 }], 6)).toThrow(RangeError);
    expect(() => assertRateLimitInput([{ limit: 5, windowSeconds: 1 }], -1)).toThrow(RangeError);
    expect(() => assertRateLimitInput([{ limit: 5, windowSeconds: 0 }], 1)).toThrow(RangeError);
  });

  it('names policies after their scope and window', () => {
    expect(namePolicies('token', [{ limit: 5, windowSeconds: 60 }])).toEqual([
      { limit: 5, windowSeconds: 60, name: 'token-60s' },
    ]);
  });
});

describe('RateLimit headers', () => {
  it('formats the draft structured fields', () => {
    expect(formatRateLimitPolicyHeader([{ name: 'default', limit: 100, windowSeconds: 60 }])).toBe(
      '"default";q=100;w=60',
    );
    expect(formatRateLimitHeader([{ name: 'default', remaining: 0, resetSeconds: 30 }])).toBe(
      '"default";r=0;t=30',
    );
    expect(formatRateLimitHeader([{ name: 'a"b\\c\n', remaining: 1, resetSeconds: 2 }])).toBe(
      '"a\\"b\\\\c_";r=1;t=2',
    );
  });

  it('lists the most restrictive window first and adds Retry-After on refusal', () => {
    const policies = namePolicies('token', [
      { limit: 1000, windowSeconds: 86_400 },
      { limit: 1, windowSeconds: 10 },
    ]);
    const [admitted, refused] = replay(policies, [{ at: T0 }, { at: T0 + SECOND }]);
    expect(admitted && rateLimitHeaders(admitted.result)).toEqual({
      'RateLimit-Policy': '"token-10s";q=1;w=10, "token-86400s";q=1000;w=86400',
      RateLimit: '"token-10s";r=0;t=10, "token-86400s";r=999;t=87',
    });
    expect(refused && rateLimitHeaders(refused.result, { windows: 'most-restrictive' })).toEqual({
      'RateLimit-Policy': '"token-10s";q=1;w=10',
      RateLimit: '"token-10s";r=0;t=9',
      'Retry-After': '9',
    });
  });
});

describe('properties', () => {
  const policyArb = fc.record({
    limit: fc.integer({ min: 1, max: 20 }),
    windowSeconds: fc.integer({ min: 1, max: 5 }),
  });
  const requestsArb = fc.array(
    fc.record({ gap: fc.integer({ min: 0, max: 600_000 }), cost: fc.integer({ min: 0, max: 3 }) }),
    { maxLength: 120 },
  );

  function timed(requests: readonly { gap: number; cost: number }[], policies: readonly RateLimitPolicy[]) {
    const maxCost = Math.min(...policies.map((p) => p.limit));
    let at = T0;
    return requests.map(({ gap, cost }) => {
      at += gap;
      return { at, cost: Math.min(cost, maxCost) };
    });
  }

  it('never admits more than limit + elapsed/interval units in any span (one burst plus the rate)', () => {
    fc.assert(
      fc.property(fc.array(policyArb, { minLength: 1, maxLength: 3 }), requestsArb, (policies, raw) => {
        const requests = timed(raw, policies);
        const decisions = replay(policies, requests);
        const admitted = requests.filter((_, i) => decisions[i]?.result.allowed);
        for (const policy of policies) {
          const interval = emissionIntervalMicros(policy);
          for (let i = 0; i < admitted.length; i++) {
            let units = 0;
            for (let j = i; j < admitted.length; j++) {
              const a = admitted[i];
              const b = admitted[j];
              if (a === undefined || b === undefined) continue;
              units += b.cost;
              expect(units).toBeLessThanOrEqual(policy.limit + Math.floor((b.at - a.at) / interval));
            }
          }
        }
      }),
    );
  });

  it('admits exactly when every window alone would, and a refusal leaves every window unchanged', () => {
    fc.assert(
      fc.property(fc.array(policyArb, { minLength: 1, maxLength: 3 }), requestsArb, (policies, raw) => {
        let tats: (number | null)[] = policies.map(() => null);
        for (const { at, cost } of timed(raw, policies)) {
          const decision = decideRateLimit({ nowMicros: at, policies, tats, cost });
          const alone = policies.map(
            (p, i) =>
              decideRateLimit({ nowMicros: at, policies: [p], tats: [tats[i] ?? null], cost }).result.allowed,
          );
          expect(decision.result.allowed).toBe(alone.every(Boolean));
          expect(decision.nextTats === null).toBe(!decision.result.allowed);
          if (decision.nextTats !== null) tats = decision.nextTats;
        }
      }),
    );
  });

  it('admits a refused request once retry-after has passed, and a fresh burst of exactly the smallest limit', () => {
    fc.assert(
      fc.property(fc.array(policyArb, { minLength: 1, maxLength: 3 }), requestsArb, (policies, raw) => {
        let tats: (number | null)[] = policies.map(() => null);
        for (const { at, cost } of timed(raw, policies)) {
          const decision = decideRateLimit({ nowMicros: at, policies, tats, cost });
          if (decision.nextTats !== null) {
            tats = decision.nextTats;
            continue;
          }
          const retryAt = at + decision.result.retryAfterSeconds! * SECOND;
          expect(decideRateLimit({ nowMicros: retryAt, policies, tats, cost }).result.allowed).toBe(true);
        }
        const burst = replay(
          policies,
          Array.from({ length: 25 }, () => ({ at: T0 })),
        ).filter((d) => d.result.allowed);
        expect(burst).toHaveLength(Math.min(...policies.map((p) => p.limit)));
      }),
    );
  });
});
