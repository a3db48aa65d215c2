import type { Keyward } from '@keyward/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, otherProjectToken } from '../../apps/server/test/harness.ts';
import { createToken, type KeywardOnSocket, keywardOnSocket, providerKeyward, until } from './sdk-harness.ts';

describe.each(['sqlite', 'postgres'] as const)('in-process verify against Keyward on %s', (database) => {
  let h: KeywardOnSocket;
  let keyward: Keyward;
  beforeAll(async () => {
    h = await keywardOnSocket({ database });
    keyward = await providerKeyward(h);
  });
  afterAll(async () => {
    await keyward.close();
    await h.close();
  });

  test('answers like /v1/verify: the same code and fields, good token, wrong scope, unknown token', async () => {
    const caller = await createToken(h, ['instances:read']);
    const local = await keyward.verify(caller.token, ['instances:read']);
    const remote = await call(h.app, 'POST', '/v1/verify', h.adminToken, {
      token: caller.token,
      required_scopes: ['instances:read'],
    });
    expect(remote.status).toBe(200);
    const { rate_limit: _a, ...localFields } = local;
    const { rate_limit: _b, ...remoteFields } = remote.body;
    expect(localFields).toEqual(remoteFields);
    expect(local).toMatchObject({
      valid: true,
      code: 'VALID',
      token_id: caller.id,
      scopes: ['instances:read'],
    });
    const wrong = await keyward.verify(caller.token, ['instances:write']);
    expect(wrong).toMatchObject({
      valid: false,
      code: 'INSUFFICIENT_SCOPE',
      missing_scopes: ['instances:write'],
    });
    expect(await keyward.verify('kw_not_a_real_token_at_all', [])).toMatchObject({ valid: false });
    expect(await keyward.verify('', [])).toMatchObject({ code: 'MALFORMED' });
  });

  test('a cached token is answered without a call; concurrent misses share one call', async () => {
    const caller = await createToken(h, ['instances:read']);
    const before = keyward.stats().networkCalls;
    const answers = await Promise.all(Array.from({ length: 20 }, () => keyward.verify(caller.token)));
    expect(answers.every((a) => a.code === 'VALID')).toBe(true);
    const afterBurst = keyward.stats().networkCalls - before;
    // One shared verification, then leases for the waiting requests (a handful, never 20).
    expect(afterBurst).toBeLessThan(8);
    const steady = keyward.stats().networkCalls;
    for (let i = 0; i < 50; i++) await keyward.verify(caller.token);
    expect(keyward.stats().networkCalls - steady).toBeLessThan(8);
  });

  test("another project's token is unknown to this provider", async () => {
    const foreign = await otherProjectToken(h, ['instances:read']);
    expect(await keyward.verify(foreign)).toMatchObject({ valid: false, code: 'NOT_FOUND', token_id: null });
  });

  test('revoke at Keyward: the cached token is refused as soon as the change arrives', async () => {
    const caller = await createToken(h, ['instances:read']);
    expect((await keyward.verify(caller.token)).code).toBe('VALID');
    const revoked = await call(h.app, 'POST', `/v1/tokens/${caller.id}/revoke`, h.adminToken);
    expect(revoked.status).toBe(200);
    await until(async () => (await keyward.verify(caller.token)).code === 'REVOKED');
    expect(await keyward.verify(caller.token)).toMatchObject({
      valid: false,
      code: 'REVOKED',
      token_id: caller.id,
    });
  });
});
