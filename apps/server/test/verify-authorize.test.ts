import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Harness, startHarness, tokenWithScopes } from './harness.ts';

const authorize = (
  h: Harness,
  headers: Record<string, string>,
  method: 'GET' | 'POST' = 'GET',
  url = '/v1/authorize',
) => h.app.inject({ method, url, headers });

/** The gateway door: 200 with identity headers, or 401/403/429 problem+json for the gateway to relay. */
describe('GET /v1/authorize', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ config: { failedAuthRateLimits: 'none' } });
  });
  afterAll(async () => h.close());

  it('answers 200 with an empty body and the identity and RateLimit headers', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read', 'data:write']);
    const res = await authorize(h, {
      authorization: `Bearer ${token}`,
      'x-keyward-required-scopes': 'data:read, data:write',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['x-keyward-token-id']).toBe(id);
    expect(res.headers['x-keyward-project-id']).toBe(h.projectId);
    expect(res.headers['x-keyward-owner']).toBe(`user:${h.userId}`);
    expect(res.headers['x-keyward-scopes']).toBe('data:read data:write');
    expect(res.headers.ratelimit).toMatch(/^"token-60s";r=5999;t=\d+$/);
    expect(res.headers['ratelimit-policy']).toBe('"token-60s";q=6000;w=60');
  });

  it('reads X-Api-Key the same way, for any method', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    const res = await authorize(h, { 'x-api-key': token }, 'POST');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-keyward-token-id']).toBe(id);
  });

  it('answers 401 with a Bearer challenge and an error id without a token or with a bad one', async () => {
    const none = await authorize(h, {});
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="keyward"');
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.json().error_id).toMatch(/^err_/);

    const bad = await authorize(h, { authorization: 'Bearer kw_garbage' });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().code).toBe('TOKEN_MALFORMED');
    expect(bad.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('writes the error record after answering: it can be read back by its id', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    await call(h.app, 'POST', `/v1/tokens/${id}/revoke`, h.adminToken, {});
    const res = await authorize(h, { authorization: `Bearer ${token}` });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('TOKEN_REVOKED');
    const errorId = res.json().error_id as string;
    let record = await h.storage.errors.get(errorId as never);
    for (let i = 0; record === null && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      record = await h.storage.errors.get(errorId as never);
    }
    expect(record).toMatchObject({ code: 'TOKEN_REVOKED', tokenId: id, path: '/v1/authorize' });
  });

  it('answers 403 insufficient_scope naming the missing scope', async () => {
    const { token } = await tokenWithScopes(h, ['data:read']);
    const res = await authorize(h, {
      authorization: `Bearer ${token}`,
      'x-keyward-required-scopes': 'data:write',
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope", scope="data:write"');
    expect(res.json()).toMatchObject({ code: 'INSUFFICIENT_SCOPE', missing_scopes: ['data:write'] });
  });

  it('answers 429 with Retry-After once the token is over its limit', async () => {
    const created = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'limited',
      scopes: ['data:read'],
      rate_limits: [{ limit: 1, window_seconds: 60 }],
    });
    const headers = { authorization: `Bearer ${created.body.token}` };
    expect((await authorize(h, headers)).statusCode).toBe(200);
    const refused = await authorize(h, headers);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers.ratelimit).toMatch(/r=0/);
  });

  it('refuses a required-scopes header that is not a list of scopes', async () => {
    const { token } = await tokenWithScopes(h, ['data:read']);
    const res = await authorize(h, {
      authorization: `Bearer ${token}`,
      'x-keyward-required-scopes': 'DROP TABLE',
    });
    expect(res.statusCode).toBe(400);
  });
});

describe('client addresses on the gateway door', () => {
  it('come from the socket unless the request came through a trusted proxy', async () => {
    const direct = await startHarness({ config: { usageFlushIntervalSeconds: 3600 } });
    const proxied = await startHarness({
      config: { usageFlushIntervalSeconds: 3600, trustedProxies: '127.0.0.1' },
    });
    try {
      for (const h of [direct, proxied]) {
        const { token, id } = await tokenWithScopes(h, ['data:read']);
        const res = await authorize(h, {
          authorization: `Bearer ${token}`,
          'x-forwarded-for': '203.0.113.7',
        });
        expect(res.statusCode).toBe(200);
        await h.deps.usage.flush();
        const stored = await h.storage.tokens.get(h.projectId as never, id as never);
        expect(stored?.lastUsedIps).toEqual(h === proxied ? ['203.0.113.7'] : ['127.0.0.1']);
      }
    } finally {
      await direct.close();
      await proxied.close();
    }
  });
});

/**
 * Over a real socket, admitted checks are answered ahead of Fastify and refusals are handed to the
 * route with the decision already made: the same answers, each request decided (and counted) once.
 */
describe('GET /v1/authorize over a socket (fast path)', () => {
  let h: Harness;
  let base: string;

  beforeAll(async () => {
    h = await startHarness({
      config: { usageFlushIntervalSeconds: 3600, failedAuthRateLimits: 'none', trustedProxies: '127.0.0.1' },
    });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => h.close());

  const get = (headers: Record<string, string>, method = 'GET') =>
    fetch(`${base}/v1/authorize`, { method, headers });
  const counts = async (id: string) =>
    Object.fromEntries(
      (await h.storage.tokens.usageSeries(id as never, 0, Date.now() + 3_600_000)).map((p) => [
        p.outcome,
        p.count,
      ]),
    );

  it('admits with the identity, RateLimit and X-Request-Id headers; HEAD too', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    const res = await get({ authorization: `Bearer ${token}`, 'x-keyward-required-scopes': 'data:read' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(res.headers.get('x-keyward-token-id')).toBe(id);
    expect(res.headers.get('x-keyward-owner')).toBe(`user:${h.userId}`);
    expect(res.headers.get('x-keyward-scopes')).toBe('data:read');
    expect(res.headers.get('ratelimit')).toMatch(/^"token-60s";r=\d+;t=\d+$/);
    expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-hjkmnp-tv-z]{26}$/);
    expect((await get({ 'x-api-key': token }, 'HEAD')).status).toBe(200);
  });

  it('answers refusals through the route, deciding each request once', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    const scoped = await get({ authorization: `Bearer ${token}`, 'x-keyward-required-scopes': 'data:write' });
    expect(scoped.status).toBe(403);
    expect((await scoped.json()).missing_scopes).toEqual(['data:write']);
    await call(h.app, 'POST', `/v1/tokens/${id}/revoke`, h.adminToken, {});
    const revoked = await get({ authorization: `Bearer ${token}` });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('content-type')).toContain('application/problem+json');
    expect(revoked.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const body = await revoked.json();
    expect(body.code).toBe('TOKEN_REVOKED');
    expect(revoked.headers.get('x-keyward-error-id')).toBe(body.error_id);
    expect((await get({})).status).toBe(401);
    expect(
      (await get({ authorization: `Bearer ${token}`, 'x-keyward-required-scopes': 'NOT A SCOPE' })).status,
    ).toBe(400);
    await h.deps.usage.flush();
    expect(await counts(id)).toEqual({ INSUFFICIENT_SCOPE: 1, REVOKED: 1 });
  });

  it('answers each request by its own headers when gateways repeat the same scope and token texts', async () => {
    const { token: reader } = await tokenWithScopes(h, ['data:read']);
    const { token: both } = await tokenWithScopes(h, ['data:read', 'data:write']);
    for (let round = 0; round < 3; round++) {
      for (const [headers, status] of [
        [{ authorization: `Bearer ${both}`, 'x-keyward-required-scopes': 'data:read,data:write' }, 200],
        [{ authorization: `Bearer ${reader}`, 'x-keyward-required-scopes': 'data:read,data:write' }, 403],
        [{ authorization: `bearer ${reader}`, 'x-keyward-required-scopes': 'data:read' }, 200],
        [{ authorization: `Bearer ${reader}`, 'x-keyward-required-scopes': 'data:read DROP;' }, 400],
        [{ authorization: `Bearer  ${reader}` }, 400],
        [{ authorization: `Basic ${reader}` }, 400],
      ] as const) {
        const res = await get(headers);
        expect(`${JSON.stringify(headers)} → ${res.status}`).toBe(`${JSON.stringify(headers)} → ${status}`);
      }
    }
  });

  it("serves Envoy's path prefix: /v1/authorize/<original path>, any method", async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await fetch(`${base}/v1/authorize/orders/42`, { method, headers: { 'x-api-key': token } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-keyward-token-id')).toBe(id);
    }
    const inQuery = await fetch(`${base}/v1/authorize/orders?api_key=${token}`, {
      headers: { 'x-api-key': token },
    });
    expect(inQuery.status).toBe(400);
    expect((await inQuery.json()).code).toBe('TOKEN_IN_URL');
  });

  it('takes the client address from a trusted proxy’s X-Forwarded-For, like Fastify', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    const res = await get({
      authorization: `Bearer ${token}`,
      'x-forwarded-for': '203.0.113.50, 198.51.100.9',
    });
    expect(res.status).toBe(200);
    await h.deps.usage.flush();
    const stored = await h.storage.tokens.get(h.projectId as never, id as never);
    expect(stored?.lastUsedIps).toEqual(['198.51.100.9']);
  });
});
