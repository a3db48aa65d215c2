import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, call, type Harness, startHarness } from './harness.ts';

describe.each(['sqlite', 'postgres'] as const)('a malformed Authorization header (%s)', (database) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ database });
  });
  afterAll(() => h.close());

  const malformed = (token: string) => [
    'Bearer',
    'Bearer ',
    `Bearer  ${token}`,
    `Bearer ${token} ${token}`,
    'Basic dXNlcjpwYXNz',
    `Token ${token}`,
    `Bearer ${token.slice(0, 10)}!${token.slice(11)}`,
    `Bearer ${token.slice(0, 10)}"${token.slice(11)}`,
    'Bearer ==abc',
  ];

  test('is 400 invalid_request (RFC 6750 §3.1) with a challenge, on API routes and the gateway door', async () => {
    for (const authorization of malformed(h.adminToken)) {
      for (const url of ['/v1/me', '/v1/tokens', '/v1/authorize']) {
        const res = await call(h.app, 'GET', url, null, undefined, { authorization });
        const where = `${url} ${JSON.stringify(authorization.slice(0, 20))}`;
        expect(res.status, where).toBe(400);
        expect(res.body.code, where).toBe('AUTHORIZATION_MALFORMED');
        expect(res.body.error_id, where).toMatch(/^err_/);
        expect(res.headers['content-type'], where).toContain('application/problem+json');
        expect(res.headers['www-authenticate'], where).toBe(
          'Bearer realm="keyward", error="invalid_request"',
        );
      }
    }
  });

  test('a well-formed header still authenticates, with the scheme in any case', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const res = await call(h.app, 'GET', '/v1/me', null, undefined, {
        authorization: `${scheme} ${h.adminToken}`,
      });
      expect(res.status, scheme).toBe(200);
    }
  });

  test('a well-formed header with an unknown token is still 401 invalid_token', async () => {
    const res = await call(h.app, 'GET', '/v1/me', null, undefined, { authorization: 'Bearer abc.def-ghi~' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });
});

describe.each(['sqlite', 'postgres'] as const)('the CSRF check (%s)', (database) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ database });
  });
  afterAll(() => h.close());

  test('refuses a missing, shorter, longer or same-length wrong token, and admits the right one', async () => {
    const login = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
    const csrf = login.json().csrf_token as string;
    const flipped = `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}`;
    const body = { name: 'csrf', scopes: ['a:b'] };
    for (const wrong of [null, csrf.slice(0, -1), `${csrf}A`, flipped, `${csrf}é`.slice(1)]) {
      const headers: Record<string, string> = { cookie };
      if (wrong !== null) headers['x-csrf-token'] = wrong;
      const res = await call(h.app, 'POST', '/v1/tokens', null, body, headers);
      expect(res.status, String(wrong)).toBe(403);
      expect(res.body.code).toBe('CSRF_FAILED');
    }
    const ok = await call(h.app, 'POST', '/v1/tokens', null, body, { cookie, 'x-csrf-token': csrf });
    expect(ok.status).toBe(201);
  });
});
