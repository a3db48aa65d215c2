/** The chaos test's judge on made-up records: what it excuses and what it reports. */
import { describe, expect, test } from 'vitest';
import { evaluate, type Fault } from './invariants.ts';
import type { Answer, LoadResult } from './load.ts';

const answer = (a: Partial<Answer>): Answer => ({
  kind: 'authorize',
  node: 0,
  sent: 0,
  received: 1,
  status: 200,
  retryAfter: false,
  ...a,
});

function load(answers: Answer[], extra: Partial<LoadResult> = {}): LoadResult {
  return {
    answers,
    secrets: [],
    acknowledged: { create: 0, revoke: 0, rotate: 0 },
    lateAdmissions: [],
    maxAdmissionAfterAck: Number.NEGATIVE_INFINITY,
    liveRefusals: [],
    limitedAdmitted: 0,
    ...extra,
  };
}

const endCheck = { lost: [], resurrected: [], notReady: [], checked: { live: 0, revoked: 0 } };
const faults: Fault[] = [
  { name: 'node-kill', node: 2, start: 1_000, end: 4_000, healthyAt: 9_000 },
  { name: 'postgres-restart', start: 20_000, end: 24_000 },
  { name: 'bus-cut', node: 1, start: 40_000, end: 46_000 },
];
// Every node acknowledges a write after each fault, so nothing counts as unrecovered.
const recovered = faults.flatMap((f) =>
  [0, 1, 2].map((node) =>
    answer({ kind: 'create', node, sent: f.end + 10, received: f.end + 20, status: 201 }),
  ),
);

describe('chaos invariants', () => {
  test('excuses a 503 with Retry-After while the database is down, and a write refused on the cut node', () => {
    const { violations } = evaluate(
      load([
        ...recovered,
        answer({ sent: 21_000, received: 21_010, status: 503, retryAfter: true }),
        answer({ kind: 'revoke', node: 1, sent: 41_000, received: 41_010, status: 503, retryAfter: true }),
      ]),
      faults,
      endCheck,
      100,
      3,
    );
    expect(violations.unexcused_5xx).toEqual({});
  });

  test('reports a 503 without Retry-After, a 500, a verification 503 on the cut node, and one outside any outage', () => {
    const { violations, figures } = evaluate(
      load([
        ...recovered,
        answer({ sent: 21_000, received: 21_010, status: 503 }),
        answer({ sent: 21_000, received: 21_010, status: 500, retryAfter: true }),
        answer({ node: 1, sent: 41_000, received: 41_010, status: 503, retryAfter: true }),
        answer({ kind: 'create', sent: 60_000, received: 60_010, status: 503, retryAfter: true }),
      ]),
      faults,
      endCheck,
      100,
      3,
    );
    expect(violations.unexcused_5xx).toEqual({
      '503 authorize': 1,
      '500 +Retry-After authorize': 1,
      '503 +Retry-After authorize': 1,
      '503 +Retry-After create': 1,
    });
    expect(figures.five_xx).toEqual({ '503': 1, '500 +Retry-After': 1, '503 +Retry-After': 2 });
  });

  test('excuses silence from the killed node until it is healthy, from no other node', () => {
    const { violations } = evaluate(
      load([
        ...recovered,
        answer({ node: 2, sent: 8_000, received: 8_001, status: 0 }),
        answer({ node: 2, sent: 12_000, received: 12_001, status: 0 }),
        answer({ node: 0, sent: 8_000, received: 8_001, status: 0 }),
      ]),
      faults,
      endCheck,
      100,
      3,
    );
    expect(violations.unanswered_outside_a_killed_node).toBe(2);
  });

  test('reports late admissions, admissions over the limit and a node that never acknowledged a write again', () => {
    const { violations, figures } = evaluate(
      load(
        recovered.filter((a) => !(a.node === 0 && a.sent > 40_000)),
        {
          lateAdmissions: [{ node: 0, delayMs: 900, kind: 'revoke', changedOn: 1, changedAt: 42_000 }],
          limitedAdmitted: 103,
        },
      ),
      faults,
      endCheck,
      100,
      3,
    );
    expect(violations.late_admissions).toBe(1);
    expect(violations.over_limit).toBe(3);
    expect(violations.unrecovered).toEqual(['bus-cut: node 0 never']);
    expect(figures.late_changes).toMatchObject({ missed_changes: 1, by_acknowledging_node: { 'node 1': 1 } });
  });
});
