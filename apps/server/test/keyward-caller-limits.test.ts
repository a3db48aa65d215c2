import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, startHarness, tokenWithScopes } from './harness.ts';

/** Issue 10 item 6: the per-token default limit is for API callers, not the provider's own servers. */
describe.each(['sqlite', 'postgres'] as const)('tokens that call Keyward, on %s', (database) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      database,
      config: { defaultTokenRateLimits: '5/60', failedAuthRateLimits: 'none' },
    });
  });
  afterAll(() => h.close());

  async function statuses(token: string, times: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < times; i++)
      out.push((await call(h.app, 'POST', '/v1/verify', token, { token: 'kw_unknown_token_value' })).status);
    return out;
  }

  test('a tokens:verify token is not capped by the default limit; an own limit still applies', async () => {
    const provider = await tokenWithScopes(h, ['tokens:verify']);
    expect(await statuses(provider.token, 8)).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    const own = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'sized provider',
      scopes: ['tokens:verify'],
      rate_limits: [{ limit: 3, window_seconds: 60 }],
    });
    expect(await statuses(own.body.token, 4)).toEqual([200, 200, 200, 429]);
  });

  test('an API caller token (even one holding every scope) keeps the default limit', async () => {
    const caller = await tokenWithScopes(h, ['instances:read']);
    const me = [];
    for (let i = 0; i < 6; i++) me.push((await call(h.app, 'GET', '/v1/me', caller.token)).status);
    expect(me).toEqual([200, 200, 200, 200, 200, 429]);
    const wide = await tokenWithScopes(h, ['*:*']);
    const wideStatuses = [];
    for (let i = 0; i < 6; i++) wideStatuses.push((await call(h.app, 'GET', '/v1/me', wide.token)).status);
    expect(wideStatuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});
