import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Harness, startHarness, tokenWithScopes } from '../../../apps/server/test/harness.ts';
import { type EchoApi, startEchoApi } from '../../../examples/gateway-api/echo-api.ts';
import { stopChild } from '../processes.ts';

export type RunningGateway = { base: string; child: ChildProcess; dir: string };
export type StartGateway = (ports: { keyward: number; api: number }) => Promise<RunningGateway>;

/**
 * One behaviour for every gateway configuration in docs/gateway: a real gateway in front of the
 * echo API, asking a real Keyward on SQLite before each request.
 */
export function describeGateway(name: string, start: StartGateway): void {
  describe(name, () => {
    let h: Harness;
    let api: EchoApi;
    let gateway: RunningGateway;

    beforeAll(async () => {
      h = await startHarness({ config: { trustedProxies: '127.0.0.1', failedAuthRateLimits: 'none' } });
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      api = await startEchoApi();
      gateway = await start({ keyward: (h.app.server.address() as { port: number }).port, api: api.port });
    });

    afterAll(async () => {
      await stopChild(gateway?.child);
      await api?.close();
      await h?.close();
      if (gateway?.dir) rmSync(gateway.dir, { recursive: true, force: true });
    });

    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${gateway.base}${path}`, { headers });

    it('no token: 401 with a Bearer challenge and the error id, the API never called', async () => {
      const res = await get('/api/orders');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="keyward"');
      const body = await res.json();
      expect(body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      expect(body.error_id).toMatch(/^err_/);
      expect(res.headers.get('x-keyward-error-id')).toBe(body.error_id);
    });

    it('a token without the location’s scope: 403 insufficient_scope', async () => {
      const { token } = await tokenWithScopes(h, ['api:read']);
      const res = await get('/api/admin/users', { authorization: `Bearer ${token}` });
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope", scope="api:admin"');
      expect((await res.json()).code).toBe('INSUFFICIENT_SCOPE');
    });

    it('a good token: the API answers, seeing the identity headers and never the secret', async () => {
      const { token, id } = await tokenWithScopes(h, ['api:read']);
      const res = await get('/api/orders?page=2', {
        authorization: `Bearer ${token}`,
        'x-keyward-token-id': 'tok_forged',
        'x-keyward-owner': 'user:forged',
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit')).toMatch(/^"token-60s";r=\d+;t=\d+$/);
      const echoed = await res.json();
      expect(echoed).toMatchObject({
        path: '/api/orders?page=2',
        saw_authorization: false,
        saw_api_key: false,
        keyward: {
          'x-keyward-token-id': id,
          'x-keyward-project-id': h.projectId,
          'x-keyward-owner': `user:${h.userId}`,
          'x-keyward-scopes': 'api:read',
        },
      });
    });

    it('X-Api-Key works the same way', async () => {
      const { token, id } = await tokenWithScopes(h, ['api:read', 'api:admin']);
      const res = await get('/api/admin/users', { 'x-api-key': token });
      expect(res.status).toBe(200);
      expect((await res.json()).keyward['x-keyward-token-id']).toBe(id);
    });

    it('revoked through the API: the very next request through the gateway is 401', async () => {
      const { token, id } = await tokenWithScopes(h, ['api:read']);
      const auth = { authorization: `Bearer ${token}` };
      expect((await get('/api/orders', auth)).status).toBe(200);
      expect((await get('/api/orders', auth)).status).toBe(200);
      expect((await call(h.app, 'POST', `/v1/tokens/${id}/revoke`, h.adminToken, {})).status).toBe(200);
      const res = await get('/api/orders', auth);
      expect(res.status).toBe(401);
      expect((await res.json()).code).toBe('TOKEN_REVOKED');
    });

    it('over the token’s rate limit: 429 with Retry-After', async () => {
      const created = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
        name: 'limited',
        scopes: ['api:read'],
        rate_limits: [{ limit: 1, window_seconds: 60 }],
      });
      const auth = { authorization: `Bearer ${created.body.token}` };
      expect((await get('/api/orders', auth)).status).toBe(200);
      const res = await get('/api/orders', auth);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await res.json()).code).toBe('RATE_LIMITED');
    });

    it('Keyward sees the client address the gateway sends (trusted proxy), for last-used IPs', async () => {
      const { token, id } = await tokenWithScopes(h, ['api:read']);
      expect(
        (await get('/api/orders', { authorization: `Bearer ${token}`, 'x-forwarded-for': '6.6.6.6' })).status,
      ).toBe(200);
      await h.deps.usage.flush();
      const stored = await h.storage.tokens.get(h.projectId as never, id as never);
      // The gateway replaces the client's X-Forwarded-For with the socket address: no spoofing.
      expect(stored?.lastUsedIps).toEqual(['127.0.0.1']);
    });
  });
}
