import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertRateLimitInput,
  decideRateLimit,
  formatRateLimitHeader,
  formatRateLimitPolicyHeader,
  namePolicies,
  type RateLimitPolicy,
  type RateLimitWindowState,
  rateLimitHeaders,
  rateLimitPolicyProblem,
  windowLengthMs,
} from '../src/index.ts';

const T0 = 1_700_000_000_000; // an epoch time in milliseconds
const SECOND = 1_000;

type Request = { at: number; cost?: number };

/** Replays requests against the pure decision, keeping the state the way a store would. */
function replay(policies: readonly RateLimitPolicy[], requests: readonly Request[]) {
  let windows: (RateLimitWindowState | null)[] = policies.map(() => null);
  return requests.map(({ at, cost = 1 }) => {
    const decision = decideRateLimit({ nowMs: at, policies, windows, cost });
    if (decision.next !== null) windows = decision.next;
    return decision;
  });
}

describe('decideRateLimit', () => {
  it('admits exactly the limit in a window, keeping remaining present at 0', () => {
    const policy = { limit: 100, windowSeconds: 60 };
    // 150 requests spread over the first 2 s of the window: still exactly 100.
    const decisions = replay(
      [policy],
      Array.from({ length: 150 }, (_, i) => ({ at: T0 + Math.floor((i * 2 * SECOND) / 150) })),
    );
    expect(decisions.filter((d) => d.result.allowed)).toHaveLength(100);
    expect(decisions[0]?.result.mostRestrictive).toMatchObject({ remaining: 99, resetSeconds: 60 });
    expect(decisions[99]?.result).toMatchObject({
      allowed: true,
      mostRestrictive: { name: '60s', limit: 100, remaining: 0, resetSeconds: 59 },
    });
    expect(decisions[149]?.result).toMatchObject({
      allowed: false,
      retryAfterSeconds: 59,
      mostRestrictive: { remaining: 0, resetSeconds: 59, retryAfterSeconds: 59 },
    });
  });

  it('begins a window with the first request and a new one at the first request after it ended', () => {
    const policy = { limit: 2, windowSeconds: 10 };
    const decisions = replay(
      [policy],
      [
        { at: T0 + 3 * SECOND }, // begins the window [3 s, 13 s)
        { at: T0 + 12 * SECOND },
        { at: T0 + 13 * SECOND - 1 },
        { at: T0 + 13 * SECOND }, // the window has ended: a new one begins
        { at: T0 + 30 * SECOND }, // and ended too: another one
      ],
    );
    expect(decisions.map((d) => d.result.allowed)).toEqual([true, true, false, true, true]);
    expect(decisions.map((d) => d.states[0])).toEqual([
      { start: T0 + 3 * SECOND, count: 1 },
      { start: T0 + 3 * SECOND, count: 2 },
      { start: T0 + 3 * SECOND, count: 2 },
      { start: T0 + 13 * SECOND, count: 1 },
      { start: T0 + 30 * SECOND, count: 1 },
    ]);
    expect(decisions[2]?.result).toMatchObject({
      retryAfterSeconds: 1,
      mostRestrictive: { resetSeconds: 1 },
    });
    expect(decisions[3]?.result.mostRestrictive).toMatchObject({ remaining: 1, resetSeconds: 10 });
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
    expect(refusedBySecond?.next).toBeNull();
    expect(refusedBySecond?.result.mostRestrictive?.name).toBe('1s');
    // The minute window still had room for exactly one more after the refused request.
    expect(decisions[3]?.result.windows.map((w) => w.remaining)).toEqual([1, 0]);
    expect(decisions[4]?.result).toMatchObject({
      allowed: false,
      retryAfterSeconds: 57,
      mostRestrictive: { name: '60s' },
    });
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

  it('peeks with cost 0: charges nothing, begins no window, and is refused when a window is full', () => {
    const policy = { limit: 2, windowSeconds: 60 };
    const [peek] = replay([policy], [{ at: T0, cost: 0 }]);
    expect(peek?.next).toBeNull();
    expect(peek?.result).toMatchObject({
      allowed: true,
      mostRestrictive: { remaining: 2, resetSeconds: 60 },
    });

    const decisions = replay(
      [policy],
      [{ at: T0, cost: 0 }, { at: T0 + SECOND }, { at: T0 + 2 * SECOND, cost: 0 }, { at: T0 + 3 * SECOND }],
    );
    // The window began with the first counted request, at 1 s, not with the peek.
    expect(decisions[3]?.states[0]).toEqual({ start: T0 + SECOND, count: 2 });
    const full = decideRateLimit({
      nowMs: T0 + 4 * SECOND,
      policies: [policy],
      windows: decisions[3]?.next ?? [],
      cost: 0,
    });
    expect(full.next).toBeNull();
    expect(full.result).toMatchObject({
      allowed: false,
      retryAfterSeconds: 57,
      mostRestrictive: { remaining: 0 },
    });
  });

  it('admits everything with no policies', () => {
    const decision = decideRateLimit({ nowMs: T0, policies: [], windows: [] });
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
      RateLimit: '"token-10s";r=0;t=10, "token-86400s";r=999;t=86400',
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
  const policiesArb = fc.array(policyArb, { minLength: 1, maxLength: 3 });
  // Gaps from 0 to 1.5 s in milliseconds: many requests per window, and many window ends.
  const requestsArb = fc.array(
    fc.record({
      gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_500 })),
      cost: fc.integer({ min: 0, max: 3 }),
    }),
    { maxLength: 150 },
  );

  function timed(raw: readonly { gap: number; cost: number }[], policies: readonly RateLimitPolicy[]) {
    const maxCost = Math.min(...policies.map((p) => p.limit));
    let at = T0;
    return raw.map(({ gap, cost }) => {
      at += gap;
      return { at, cost: Math.min(cost, maxCost) };
    });
  }

  /**
   * The model, written independently of the decision: a window begins at the first admitted,
   * charged request at or after the end of the previous one and lasts `windowSeconds`.
   */
  function windowsOf(policy: RateLimitPolicy, admitted: readonly { at: number; cost: number }[]) {
    const windows: { start: number; units: number }[] = [];
    for (const { at, cost } of admitted) {
      if (cost === 0) continue;
      const last = windows.at(-1);
      if (last === undefined || at >= last.start + windowLengthMs(policy))
        windows.push({ start: at, units: cost });
      else last.units += cost;
    }
    return windows;
  }

  it('never admits more than limit within one window, nor more than 2·limit − 1 in any rolling window', () => {
    fc.assert(
      fc.property(policiesArb, requestsArb, (policies, raw) => {
        const requests = timed(raw, policies);
        const decisions = replay(policies, requests);
        const admitted = requests.filter((_, i) => decisions[i]?.result.allowed);
        for (const policy of policies) {
          for (const w of windowsOf(policy, admitted)) expect(w.units).toBeLessThanOrEqual(policy.limit);
          const length = windowLengthMs(policy);
          for (const { at: from } of admitted) {
            const units = admitted
              .filter((r) => r.at >= from && r.at < from + length)
              .reduce((s, r) => s + r.cost, 0);
            expect(units).toBeLessThanOrEqual(2 * policy.limit - 1);
          }
        }
      }),
    );
  });

  it('reports exactly what the headers describe: remaining in the current window and seconds until it ends', () => {
    fc.assert(
      fc.property(policiesArb, requestsArb, (policies, raw) => {
        const requests = timed(raw, policies);
        const decisions = replay(policies, requests);
        requests.forEach((request, i) => {
          const admittedSoFar = requests.slice(0, i + 1).filter((_, j) => decisions[j]?.result.allowed);
          policies.forEach((policy, p) => {
            const last = windowsOf(policy, admittedSoFar).at(-1);
            const open = last !== undefined && request.at < last.start + windowLengthMs(policy);
            const window = decisions[i]?.result.windows[p];
            expect(window?.remaining).toBe(open ? policy.limit - last.units : policy.limit);
            expect(window?.resetSeconds).toBe(
              open
                ? Math.ceil((last.start + windowLengthMs(policy) - request.at) / SECOND)
                : policy.windowSeconds,
            );
          });
        });
      }),
    );
  });

  it('admits exactly when every window alone would, and a refused request consumes nothing', () => {
    fc.assert(
      fc.property(policiesArb, requestsArb, (policies, raw) => {
        const requests = timed(raw, policies);
        let windows: (RateLimitWindowState | null)[] = policies.map(() => null);
        for (const { at, cost } of requests) {
          const decision = decideRateLimit({ nowMs: at, policies, windows, cost });
          const alone = policies.map(
            (p, i) =>
              decideRateLimit({ nowMs: at, policies: [p], windows: [windows[i] ?? null], cost }).result
                .allowed,
          );
          expect(decision.result.allowed).toBe(alone.every(Boolean));
          expect(decision.next === null).toBe(!decision.result.allowed || cost === 0);
          if (decision.next !== null) windows = decision.next;
        }
        // Taking the refused requests out of the sequence changes no other answer.
        const decisions = replay(policies, requests);
        const kept = requests.filter((_, i) => decisions[i]?.result.allowed);
        const again = replay(policies, kept);
        expect(again.map((d) => d.result)).toEqual(
          decisions.filter((d) => d.result.allowed).map((d) => d.result),
        );
      }),
    );
  });

  it('admits a refused request once retry-after has passed, and a fresh window admits exactly the limit', () => {
    fc.assert(
      fc.property(policiesArb, requestsArb, (policies, raw) => {
        const requests = timed(raw, policies);
        let windows: (RateLimitWindowState | null)[] = policies.map(() => null);
        for (const { at, cost } of requests) {
          const decision = decideRateLimit({ nowMs: at, policies, windows, cost });
          if (decision.result.allowed) {
            if (decision.next !== null) windows = decision.next;
            continue;
          }
          const retryAt = at + decision.result.retryAfterSeconds * SECOND;
          expect(decideRateLimit({ nowMs: retryAt, policies, windows, cost }).result.allowed).toBe(true);
          // Not a second too late: one second earlier it would still be refused.
          expect(decideRateLimit({ nowMs: retryAt - SECOND, policies, windows, cost }).result.allowed).toBe(
            false,
          );
        }
        // Once every window has ended, a burst of unit requests admits exactly the smallest limit.
        const end = (requests.at(-1)?.at ?? T0) + Math.max(...policies.map(windowLengthMs));
        let fresh = windows;
        let admitted = 0;
        for (let i = 0; i < 25; i++) {
          const decision = decideRateLimit({ nowMs: end + i, policies, windows: fresh });
          if (decision.next !== null) {
            fresh = decision.next;
            admitted++;
          }
        }
        expect(admitted).toBe(Math.min(...policies.map((p) => p.limit)));
      }),
    );
  });
});
