import { generateToken } from '@keyward/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** GET /v1/me with a well-formed token nobody issued, from `remoteAddress` (the TCP peer). */
async function unknownToken(
  harness: Harness,
  headers: Record<string, string> = {},
  remoteAddress = '127.0.0.1',
) {
  const res = await harness.app.inject({
    method: 'GET',
    url: '/v1/me',
    remoteAddress,
    headers: { authorization: `Bearer ${generateToken()}`, ...headers },
  });
  return { status: res.statusCode, headers: res.headers, body: res.json() };
}

describe('failed authentications are throttled per client address', () => {
  it('answers 429 from the N+1-th failure on, and then without touching the database', async () => {
    h = await startHarness({ config: { failedAuthRateLimits: '5/3600' } });
    for (let i = 0; i < 5; i++) expect((await unknownToken(h)).status).toBe(401);

    const sixth = await unknownToken(h);
    expect(sixth.status).toBe(429);
    expect(sixth.body).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      error_id: expect.stringMatching(/^err_/),
    });
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(sixth.headers['www-authenticate']).toBeUndefined();

    // Blocked: well-formed unknown tokens are refused before their hash is looked up, and the
    // refusals are not written as error records either.
    const before = h.storage.statementCount();
    for (let i = 0; i < 20; i++) {
      const res = await unknownToken(h);
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('RATE_LIMITED');
      // 5 per hour: the window the first failure began ends an hour later.
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(3600);
    }
    expect(h.storage.statementCount() - before).toBe(0);

    // Garbage that is not even a token is refused the same way (it never reaches the database).
    const garbage = await h.app.inject({ method: 'GET', url: '/v1/me', headers: { 'x-api-key': 'nope' } });
    expect(garbage.statusCode).toBe(429);

    // Another address is not affected; a valid token keeps working from it.
    expect((await unknownToken(h, {}, '192.0.2.10')).status).toBe(401);
    const valid = await h.app.inject({
      method: 'GET',
      url: '/v1/me',
      remoteAddress: '192.0.2.10',
      headers: { authorization: `Bearer ${h.adminToken}` },
    });
    expect(valid.statusCode).toBe(200);
  });

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    h = await startHarness({ config: { failedAuthRateLimits: '3/3600', trustedProxies: '127.0.0.1' } });
    const viaProxy = (client: string) => unknownToken(h as Harness, { 'x-forwarded-for': client });

    for (let i = 0; i < 3; i++) expect((await viaProxy('203.0.113.7')).status).toBe(401);
    expect((await viaProxy('203.0.113.7')).status).toBe(429);
    // Another client behind the same proxy, and the proxy's own address, still get 401.
    expect((await viaProxy('203.0.113.8')).status).toBe(401);
    expect((await unknownToken(h)).status).toBe(401);

    // From an untrusted peer the header is ignored: the peer address is throttled whatever it claims.
    for (let i = 0; i < 3; i++)
      expect((await unknownToken(h, { 'x-forwarded-for': `198.51.100.${i}` }, '192.0.2.99')).status).toBe(
        401,
      );
    expect((await unknownToken(h, { 'x-forwarded-for': '198.51.100.200' }, '192.0.2.99')).status).toBe(429);
  });

  it('ignores X-Forwarded-For entirely without trusted proxies', async () => {
    h = await startHarness({ config: { failedAuthRateLimits: '3/3600' } });
    for (let i = 0; i < 3; i++) {
      expect((await unknownToken(h, { 'x-forwarded-for': `203.0.113.${i}` })).status).toBe(401);
    }
    expect((await unknownToken(h, { 'x-forwarded-for': '203.0.113.99' })).status).toBe(429);
    expect((await unknownToken(h, {}, '192.0.2.10')).status).toBe(401);
  });
});
