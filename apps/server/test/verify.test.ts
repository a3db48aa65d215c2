import { generateToken } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Harness, otherProjectToken, startHarness, tokenWithScopes } from './harness.ts';

/** The provider API's doors: /v1/verify (outcome as data) and RFC 7662 introspection. */
describe('POST /v1/verify and POST /v1/introspect', () => {
  let h: Harness;
  let verifier: string;

  beforeAll(async () => {
    h = await startHarness({ config: { failedAuthRateLimits: 'none' } });
    verifier = (await tokenWithScopes(h, ['tokens:verify'], 'provider api')).token;
  });
  afterAll(async () => h.close());

  const verify = (body: unknown, token = verifier) => call(h.app, 'POST', '/v1/verify', token, body);

  it('answers a good token with its identity, scopes, expiry and rate-limit state', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read', 'data:write']);
    const res = await verify({ token, required_scopes: ['data:read'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      valid: true,
      code: 'VALID',
      token_id: id,
      owner: { type: 'user', id: h.userId },
      project_id: h.projectId,
      scopes: ['data:read', 'data:write'],
      expires_at: null,
      rate_limit: { limit: 6000, remaining: 5999 },
    });
    expect(res.body.missing_scopes).toBeUndefined();
  });

  it('answers a missing scope as data, naming it', async () => {
    const { token } = await tokenWithScopes(h, ['data:read']);
    const res = await verify({ token, required_scopes: ['data:read', 'data:write'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      valid: false,
      code: 'INSUFFICIENT_SCOPE',
      missing_scopes: ['data:write'],
    });
  });

  it('answers malformed, unknown and revoked tokens with valid:false and the reason', async () => {
    expect((await verify({ token: 'not-a-token' })).body).toMatchObject({ valid: false, code: 'MALFORMED' });
    const unknown = await verify({ token: generateToken('kw') });
    expect(unknown.body).toMatchObject({ valid: false, code: 'NOT_FOUND', token_id: null, scopes: [] });
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    await call(h.app, 'POST', `/v1/tokens/${id}/revoke`, h.adminToken, {});
    expect((await verify({ token })).body).toMatchObject({ valid: false, code: 'REVOKED', token_id: id });
  });

  it("answers another project's token exactly like an unknown one", async () => {
    const foreign = await otherProjectToken(h, ['data:read']);
    const res = await verify({ token: foreign });
    const unknown = await verify({ token: generateToken('kw') });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(unknown.body);
    expect(res.body).toMatchObject({ valid: false, code: 'NOT_FOUND' });
  });

  it("consumes the verified token's rate limit and reports RATE_LIMITED", async () => {
    const created = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'limited',
      scopes: ['data:read'],
      rate_limits: [{ limit: 2, window_seconds: 60 }],
    });
    const token = created.body.token as string;
    expect((await verify({ token })).body.rate_limit).toMatchObject({ limit: 2, remaining: 1 });
    expect((await verify({ token })).body.rate_limit).toMatchObject({ limit: 2, remaining: 0 });
    const third = await verify({ token });
    expect(third.status).toBe(200);
    expect(third.body).toMatchObject({ valid: false, code: 'RATE_LIMITED', rate_limit: { remaining: 0 } });
    expect(third.body.rate_limit.retry_after_seconds).toBeGreaterThan(0);
  });

  it('demands tokens:verify of the caller', async () => {
    const { token } = await tokenWithScopes(h, ['data:read']);
    const res = await verify({ token }, token);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('INSUFFICIENT_SCOPE');
    expect((await verify({ token }, '')).status).toBe(401);
  });

  it('refuses unknown fields and a missing token', async () => {
    expect((await verify({ token: 'x', extra: 1 })).status).toBe(400);
    expect((await verify({})).status).toBe(400);
  });

  const introspect = (payload: string, type: string, token = verifier) =>
    h.app.inject({
      method: 'POST',
      url: '/v1/introspect',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      payload,
    });

  it('introspects a form-encoded token (RFC 7662)', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read', 'data:write']);
    const res = await introspect(
      new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toMatchObject({
      active: true,
      scope: 'data:read data:write',
      client_id: id,
      sub: h.userId,
      token_type: 'Bearer',
      project_id: h.projectId,
    });
    expect(Math.abs(body.iat - Date.now() / 1000)).toBeLessThan(120);
    expect(body.exp).toBeUndefined();
  });

  it('introspects a JSON body too, with exp for an expiring token', async () => {
    const created = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'expiring',
      scopes: ['data:read'],
      expires_in_seconds: 3600,
    });
    const res = await introspect(JSON.stringify({ token: created.body.token }), 'application/json');
    expect(res.json()).toMatchObject({
      active: true,
      exp: Math.floor(Date.parse(created.body.expires_at) / 1000),
    });
  });

  it('answers an inactive token with {"active": false} and nothing else', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    await call(h.app, 'POST', `/v1/tokens/${id}/revoke`, h.adminToken, {});
    const form = 'application/x-www-form-urlencoded';
    for (const candidate of [token, 'garbage', generateToken('kw'), await otherProjectToken(h)]) {
      const res = await introspect(new URLSearchParams({ token: candidate }).toString(), form);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ active: false });
    }
  });

  it('refuses a repeated form parameter and a caller without tokens:verify', async () => {
    const { token } = await tokenWithScopes(h, ['data:read']);
    const form = 'application/x-www-form-urlencoded';
    const repeated = await introspect(`token=${token}&token=${token}`, form);
    expect(repeated.statusCode).toBe(400);
    expect(repeated.headers['content-type']).toContain('application/problem+json');
    expect((await introspect(`token=${token}`, form, token)).statusCode).toBe(403);
  });
});
