import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, startHarness } from './harness.ts';

type Injected = { statusCode: number; headers: Record<string, unknown>; body: string };

/** Every refusal is a 4xx problem+json with an error id; nothing a client sends may cause a 500. */
function expectClientError(res: Injected, context: string) {
  expect(res.statusCode, `${context}: ${res.body}`).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(String(res.headers['content-type']), context).toContain('application/problem+json');
    const problem = JSON.parse(res.body);
    expect(problem.error_id, context).toMatch(/^err_/);
    expect(problem.code, context).toMatch(/^[A-Z_]+$/);
  }
}

describe('bad input on every route', () => {
  let h: Harness;
  let routes: { method: string; url: string }[];
  beforeAll(async () => {
    h = await startHarness({ config: { failedAuthRateLimits: 'none', defaultTokenRateLimits: 'none' } });
    // Bodiless requests are valid there and would revoke the token the later cases use.
    const revokesTheCaller = new Set(['POST /v1/tokens/bulk-revoke', 'POST /v1/me/api-key']);
    routes = h.app.registeredRoutes.filter(
      (r) =>
        !r.hidden &&
        r.method !== 'HEAD' &&
        !r.url.startsWith('/docs') &&
        !revokesTheCaller.has(`${r.method} ${r.url}`),
    );
    expect(routes.length).toBeGreaterThan(35);
  });
  afterAll(() => h.close());

  const fill = (url: string, value: string) => url.replace(/:[a-z_]+/g, encodeURIComponent(value));
  const inject = (
    method: string,
    url: string,
    options: { headers?: Record<string, string>; payload?: string },
  ) =>
    h.app.inject({
      method: method as 'GET',
      url,
      headers: options.headers ?? {},
      ...(options.payload !== undefined ? { payload: options.payload } : {}),
    });

  test('malformed JSON, any JSON value, unknown fields, wrong content types', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(
          fc.string().map((s) => `{${s}`),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.dictionary(fc.string({ maxLength: 20 }), fc.jsonValue()).map((v) => JSON.stringify(v)),
          fc.constant('{"name":"x","scopes":["a:b"],"surprise":true}'),
          fc.constant('\uFFFE\uD800 not json'),
        ),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/xml',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
        ),
        fc.boolean(),
        async (route, payload, contentType, authenticated) => {
          const headers: Record<string, string> = { 'content-type': contentType };
          if (authenticated) headers.authorization = `Bearer ${h.adminToken}`;
          const res = await inject(route.method, fill(route.url, 'tok_01aaaaaaaaaaaaaaaaaaaaaaaa'), {
            headers,
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload }),
          });
          expectClientError(res, `${route.method} ${route.url} ${contentType} ${payload.slice(0, 80)}`);
        },
      ),
      { numRuns: 400 },
    );
  });

  test('invalid ids in paths and garbage in query strings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.string({ maxLength: 300 }),
        fc.dictionary(
          fc.constantFrom('limit', 'cursor', 'status', 'from', 'to', 'search', 'format', 'x'),
          fc.string({ maxLength: 50 }),
        ),
        async (route, id, query) => {
          const qs = new URLSearchParams(query).toString();
          const res = await inject(route.method, `${fill(route.url, id)}${qs ? `?${qs}` : ''}`, {
            headers: { authorization: `Bearer ${h.adminToken}` },
          });
          expectClientError(res, `${route.method} ${route.url} id=${JSON.stringify(id)} ${qs}`);
        },
      ),
      { numRuns: 400 },
    );
  });

  test('garbage tokens in either header', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ...routes.filter((r) => !['/healthz', '/readyz', '/v1/setup', '/v1/auth/login'].includes(r.url)),
        ),
        fc.oneof(
          fc.string({ maxLength: 600 }),
          fc.constant(`${h.adminToken}x`),
          fc.constant(h.adminToken.slice(0, -1)),
        ),
        fc.constantFrom('authorization-bearer', 'authorization-raw', 'x-api-key'),
        async (route, garbage, where) => {
          const value = garbage.replace(/[\r\n\0]/g, '');
          const headers: Record<string, string> =
            where === 'x-api-key'
              ? { 'x-api-key': value }
              : { authorization: where === 'authorization-bearer' ? `Bearer ${value}` : value };
          const res = await inject(route.method, fill(route.url, 'x'), { headers });
          expectClientError(
            res,
            `${route.method} ${route.url} ${where}=${JSON.stringify(value.slice(0, 40))}`,
          );
          if (route.url.startsWith('/v1/tokens') && res.statusCode < 400)
            throw new Error('garbage token accepted');
        },
      ),
      { numRuns: 300 },
    );
  });

  test('oversized bodies and strings', async () => {
    const huge = JSON.stringify({ name: 'x'.repeat(200_000), scopes: ['a:b'] });
    const res = await inject('POST', '/v1/tokens', {
      headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
      payload: huge,
    });
    expect(res.statusCode).toBe(413);
    expectClientError(res, 'huge body');
    const longName = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'x'.repeat(201),
      scopes: ['a:b'],
    });
    expect(longName.status).toBe(400);
    expect(longName.body.code).toBe('VALIDATION_FAILED');
    const manyScopes = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'x',
      scopes: Array.from({ length: 101 }, (_, i) => `s${i}:read`),
    });
    expect(manyScopes.status).toBe(400);
  });

  test('wrong types are refused, not coerced', async () => {
    const res = await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: 12345, scopes: 'jobs:read' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.length).toBeGreaterThan(0);
  });

  test.each([
    '%zz',
    '%',
    '%E0%A4%A',
    'a=%ZZ&token=%',
  ])('a malformed query escape (%s) is a client error', async (query) => {
    for (const path of ['/v1/me', '/v1/authorize', '/v1/tokens']) {
      const res = await inject('GET', `${path}?${query}`, {
        headers: { authorization: `Bearer ${h.adminToken}` },
      });
      expectClientError(res, `${path}?${query}`);
    }
  });

  test('tokens in the URL are refused', async () => {
    const res = await call(h.app, 'GET', `/v1/me?access_token=${h.adminToken}`, null);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('TOKEN_IN_URL');
  });
});
