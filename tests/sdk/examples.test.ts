import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, otherProjectToken } from '../../apps/server/test/harness.ts';
import { type RunningExample, startExample } from './example-api.ts';
import { packSdk } from './scratch-project.ts';
import { createToken, type KeywardOnSocket, keywardOnSocket, until } from './sdk-harness.ts';

type Answer = { status: number; headers: Headers; body: Record<string, unknown> };

async function get(url: string, token?: string, method = 'GET', body?: unknown): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** Each framework's example, installed from the packed SDK with the framework, against a real Keyward. */
describe.each([
  { example: 'fastify-api', frameworks: ['fastify'] },
  { example: 'express-api', frameworks: ['express'] },
  { example: 'hono-api', frameworks: ['hono', '@hono/node-server'] },
])('examples/$example through real sockets', ({ example, frameworks }) => {
  let h: KeywardOnSocket;
  let api: RunningExample & { dir: string };
  beforeAll(async () => {
    h = await keywardOnSocket({ config: { usageFlushIntervalSeconds: 0.2 } });
    const tarball = await packSdk(h.dataDir);
    const provider = await createToken(
      h,
      ['tokens:verify', 'errors:write'],
      [{ limit: 1_000_000, window_seconds: 60 }],
    );
    api = await startExample(example, tarball, frameworks, {
      KEYWARD_URL: h.url,
      KEYWARD_TOKEN: provider.token,
      KEYWARD_ERROR_FLUSH_MS: '100',
      KEYWARD_USAGE_FLUSH_MS: '100',
    });
  }, 300_000);
  afterAll(async () => {
    await api?.stop();
    if (api) rmSync(api.dir, { recursive: true, force: true });
    await h.close();
  });

  /** The caller reads its error record at Keyward with its own token (it arrives in a batch). */
  async function lookUp(
    errorId: unknown,
    token: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    let res = await call(h.app, 'GET', `/v1/errors/${errorId}`, token);
    await until(async () => {
      res = await call(h.app, 'GET', `/v1/errors/${errorId}`, token);
      return res.status === 200;
    }, 10_000);
    return res;
  }

  test('no token: 401 problem+json with WWW-Authenticate and an error id', async () => {
    const res = await get(`${api.url}/v1/instances`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect(res.body).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(res.body.error_id).toMatch(/^err_[0-9a-z]{26}$/);
    expect((await get(`${api.url}/healthz`)).status).toBe(200);
  });

  test('wrong scope: 403 with an error id the caller looks up with its token', async () => {
    const caller = await createToken(h, ['billing:read']);
    const res = await get(`${api.url}/v1/instances`, caller.token);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'INSUFFICIENT_SCOPE', missing_scopes: ['instances:read'] });
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="insufficient_scope", scope="instances:read"',
    );
    const record = await lookUp(res.body.error_id, caller.token);
    expect(record.body).toMatchObject({
      code: 'INSUFFICIENT_SCOPE',
      status: 403,
      token_id: caller.id,
      path: '/v1/instances',
    });
  });

  test('good token: 200 with the principal and RateLimit fields; usage reaches Keyward; revoke: refused', async () => {
    const caller = await createToken(h, ['instances:read', 'instances:write']);
    const res = await get(`${api.url}/v1/instances`, caller.token);
    expect(res.status).toBe(200);
    expect(res.body.principal).toMatchObject({
      tokenId: caller.id,
      scopes: ['instances:read', 'instances:write'],
    });
    expect(res.headers.get('ratelimit-policy')).toMatch(/^"token-60s";q=6000;w=60/);
    expect(res.headers.get('ratelimit')).toMatch(/^"token-60s";r=\d+;t=\d+/);
    expect((await get(`${api.url}/v1/instances`, caller.token, 'POST', { name: 'web-2' })).status).toBe(201);
    await until(async () => {
      const view = await call(h.app, 'GET', `/v1/tokens/${caller.id}`, h.adminToken);
      return (
        view.body.usage.admitted >= 2 && view.body.last_used_at !== null && view.body.last_used_ips.length > 0
      );
    }, 15_000);
    expect((await call(h.app, 'POST', `/v1/tokens/${caller.id}/revoke`, h.adminToken)).status).toBe(200);
    await until(async () => (await get(`${api.url}/v1/instances`, caller.token)).status === 401);
    const refused = await get(`${api.url}/v1/instances`, caller.token);
    expect(refused.body).toMatchObject({ code: 'TOKEN_REVOKED' });
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  test('X-Api-Key works as well; two different tokens in one request: 400', async () => {
    const good = await createToken(h, ['instances:read']);
    const weak = await createToken(h, ['billing:read']);
    const viaKey = await fetch(`${api.url}/v1/instances`, { headers: { 'x-api-key': good.token } });
    expect(viaKey.status).toBe(200);
    const both = await fetch(`${api.url}/v1/instances`, {
      headers: { 'x-api-key': good.token, authorization: `Bearer ${weak.token}` },
    });
    expect([both.status, ((await both.json()) as { code?: string }).code]).toEqual([
      400,
      'VALIDATION_FAILED',
    ]);
  });

  test('429 at the limit, with RateLimit and Retry-After', async () => {
    const caller = await createToken(h, ['instances:read'], [{ limit: 3, window_seconds: 60 }]);
    const statuses: number[] = [];
    let last: Answer | null = null;
    for (let i = 0; i < 5; i++) {
      last = await get(`${api.url}/v1/instances`, caller.token);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(last?.body).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last?.headers.get('ratelimit')).toMatch(/^"token-60s";r=0;t=\d+/);
    expect(last?.headers.get('ratelimit-policy')).toBe('"token-60s";q=3;w=60');
  });

  test("a thrown error: 500 problem+json whose id the caller reads (200), another project's token cannot (404)", async () => {
    const caller = await createToken(h, ['instances:read']);
    const res = await get(`${api.url}/v1/reports`, caller.token);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(JSON.stringify(res.body)).not.toContain('report generator crashed');
    const record = await lookUp(res.body.error_id, caller.token);
    expect(record.body).toMatchObject({ status: 500, token_id: caller.id, path: '/v1/reports' });
    const foreign = await otherProjectToken(h);
    expect((await call(h.app, 'GET', `/v1/errors/${res.body.error_id}`, foreign)).status).toBe(404);
    const missing = await get(`${api.url}/v1/instances/ins_404`, caller.token);
    expect(missing).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });
});
