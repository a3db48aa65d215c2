import type { Keyward } from '@keyward/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call } from '../../apps/server/test/harness.ts';
import { startTcpProxy } from '../../apps/server/test/tcp-proxy.ts';
import { newErrorId } from '../../packages/sdk/src/provider/error-ids.ts';
import { createToken, type KeywardOnSocket, keywardOnSocket, providerKeyward, until } from './sdk-harness.ts';

/** While the SDK cannot trust what it cached, it answers nothing from cache (the nodes' rule). */
describe('SDK trust: a node that loses trust, and Keyward out of reach', () => {
  let h: KeywardOnSocket;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let keyward: Keyward;
  beforeAll(async () => {
    h = await keywardOnSocket({ config: { defaultTokenRateLimits: 'none' } });
    proxy = await startTcpProxy(Number(new URL(h.url).port));
    keyward = await providerKeyward(h, { errorFlushIntervalMs: 100 }, `http://127.0.0.1:${proxy.port}`);
  });
  afterAll(async () => {
    await keyward.close();
    await proxy.stop();
    await h.close();
  });

  const callsFor = async (token: string, times: number) => {
    const before = keyward.stats().networkCalls;
    for (let i = 0; i < times; i++) expect((await keyward.verify(token)).code).toBe('VALID');
    return keyward.stats().networkCalls - before;
  };

  test("the node's trust event: no cached answers until it is trusted again", async () => {
    const caller = await createToken(h, ['instances:read']);
    await keyward.verify(caller.token);
    expect(await callsFor(caller.token, 5)).toBe(0);
    h.deps.verifier.setCacheTrusted(false);
    await until(() => !keyward.stats().trusted);
    expect(await callsFor(caller.token, 5)).toBe(5);
    h.deps.verifier.setCacheTrusted(true);
    await until(() => keyward.stats().trusted);
    await keyward.verify(caller.token);
    expect(await callsFor(caller.token, 5)).toBe(0);
  });

  test('Keyward cut off: no cached answer, error reports wait in the queue and arrive after', async () => {
    const caller = await createToken(h, ['instances:read']);
    await keyward.verify(caller.token);
    expect(await callsFor(caller.token, 3)).toBe(0);
    await proxy.stop();
    await until(() => !keyward.stats().trusted);
    // The cached answer is not used: verification needs Keyward, which cannot be reached.
    await expect(keyward.verify(caller.token)).rejects.toThrow();
    const errorId = newErrorId();
    keyward.reportError({
      error_id: errorId,
      occurred_at: new Date().toISOString(),
      token_id: caller.id,
      request_id: 'req_test',
      status: 500,
      code: 'INTERNAL',
      title: 'Internal error',
      detail: 'while cut off',
      method: 'GET',
      path: '/v1/reports',
      context: { authorization: 'Bearer secret', region: 'ewr1' },
    });
    await keyward.flush();
    expect(keyward.stats().errors).toMatchObject({ queued: 1 });
    await proxy.start();
    expect(await keyward.ready(20_000)).toBe(true);
    await until(
      async () => (await call(h.app, 'GET', `/v1/errors/${errorId}`, caller.token)).status === 200,
      90_000,
    );
    const record = await call(h.app, 'GET', `/v1/errors/${errorId}`, caller.token);
    expect(record.body.context).toEqual({ region: 'ewr1', source: 'provider' });
    expect(await callsFor(caller.token, 1)).toBeLessThanOrEqual(1);
    expect(await callsFor(caller.token, 3)).toBe(0);
  }, 150_000);
});
