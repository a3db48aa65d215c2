import type { Keyward } from '@keyward/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call } from '../../apps/server/test/harness.ts';
import { createToken, type KeywardOnSocket, providerKeyward } from './sdk-harness.ts';
import { type SecondNode, twoNodes } from './two-nodes.ts';

const REVOKES = 50;

/**
 * Instant revocation across nodes: the revoke is made on Keyward node A, the provider's SDK
 * streams changes from node B (which hears A on the Redis bus). The figure is printed, not asserted.
 */
describe('revoke on node A, provider streaming from node B', () => {
  let a: KeywardOnSocket;
  let b: SecondNode;
  let keyward: Keyward;
  beforeAll(async () => {
    // No default limit: a warm token then costs no call at all (limits are the exact-limit test's).
    ({ a, b } = await twoNodes({ defaultTokenRateLimits: 'none' }));
    keyward = await providerKeyward(a, {}, b.url);
  });
  afterAll(async () => {
    await keyward.close();
    await b.close();
    await a.close();
  });

  test(`${REVOKES} revokes: each refused by the provider as soon as the change arrives`, async () => {
    const times: number[] = [];
    const acks: number[] = [];
    const fromApplied: number[] = [];
    // When node A applied each revocation (committed, its own cache dropped): the change's start.
    const appliedAt = new Map<string, number>();
    a.deps.verifier.onChange((change) => {
      if ('tokenId' in change) appliedAt.set(change.tokenId, performance.now());
    });
    const heardAt = new Map<string, number>();
    b.deps.verifier.onChange((change) => {
      if ('tokenId' in change) heardAt.set(change.tokenId, performance.now());
    });
    const heard: number[] = [];
    for (let i = 0; i < REVOKES; i++) {
      const caller = await createToken(a, ['instances:read']);
      expect((await keyward.verify(caller.token)).code).toBe('VALID');
      const callsBefore = keyward.stats().networkCalls;
      expect((await keyward.verify(caller.token)).code).toBe('VALID');
      // Warm: answered in-process, no call.
      expect(keyward.stats().networkCalls).toBe(callsBefore);
      const started = performance.now();
      const revoked = call(a.app, 'POST', `/v1/tokens/${caller.id}/revoke`, a.adminToken).then((res) => {
        acks.push(performance.now() - started);
        return res;
      });
      let answer = await keyward.verify(caller.token);
      while (answer.code === 'VALID') {
        await new Promise((r) => setImmediate(r));
        answer = await keyward.verify(caller.token);
      }
      const refusedAt = performance.now();
      times.push(refusedAt - started);
      fromApplied.push(refusedAt - (appliedAt.get(caller.id) ?? Number.NaN));
      heard.push((heardAt.get(caller.id) ?? Number.NaN) - (appliedAt.get(caller.id) ?? Number.NaN));
      expect(answer.code).toBe('REVOKED');
      expect((await revoked).status).toBe(200);
    }
    const sorted = [...times].sort((x, y) => x - y);
    const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
    const ackSorted = [...acks].sort((x, y) => x - y);
    process.stdout.write(
      `revoke request answered by node A: p50 ${ackSorted[25]?.toFixed(1)} ms, max ${ackSorted.at(-1)?.toFixed(1)} ms\n`,
    );
    process.stdout.write(
      `revocation, node A → SDK on node B, ${REVOKES} revokes: p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms\n`,
    );
    const applied = [...fromApplied].sort((x, y) => x - y);
    const q = (list: number[], at: number) =>
      list[Math.min(list.length - 1, Math.ceil(at * list.length) - 1)] ?? 0;
    process.stdout.write(
      `revocation, applied on node A → refused by the SDK streaming from node B: p50 ${q(applied, 0.5).toFixed(1)} ms, p99 ${q(applied, 0.99).toFixed(1)} ms\n`,
    );
    const heardSorted = [...heard].sort((x, y) => x - y);
    process.stdout.write(
      `bus A → B: p50 ${q(heardSorted, 0.5).toFixed(1)} ms, p99 ${q(heardSorted, 0.99).toFixed(1)} ms\n`,
    );
    expect(times).toHaveLength(REVOKES);
    expect(fromApplied.every((ms) => Number.isFinite(ms))).toBe(true);
  });
});
