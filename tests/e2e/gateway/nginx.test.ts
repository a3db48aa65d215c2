import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Harness, startHarness, tokenWithScopes } from '../../../apps/server/test/harness.ts';
import { type EchoApi, startEchoApi } from '../../../examples/gateway-api/echo-api.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const NGINX = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForPort(port: number, nginx: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (nginx.exitCode !== null) throw new Error(`nginx exited (${nginx.exitCode}):\n${log()}`);
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nginx did not listen on ${port}:\n${log()}`);
}

/**
 * Real nginx (docs/gateway/nginx.conf, ports swapped) in front of a tiny API, asking a real Keyward
 * on SQLite through auth_request.
 */
describe('nginx auth_request in front of an API', () => {
  let h: Harness;
  let api: EchoApi;
  let nginx: ChildProcess;
  let prefix: string;
  let base: string;
  let nginxLog = '';

  beforeAll(async () => {
    h = await startHarness({ config: { trustedProxies: '127.0.0.1', failedAuthRateLimits: 'none' } });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const keywardPort = (h.app.server.address() as { port: number }).port;
    api = await startEchoApi();
    const port = await freePort();
    prefix = mkdtempSync(join(tmpdir(), 'keyward-nginx-'));
    chmodSync(prefix, 0o755); // workers drop to an unprivileged user when started as root
    const conf = readFileSync(join(ROOT, 'docs/gateway/nginx.conf'), 'utf8')
      .replace('listen 8000;', `listen 127.0.0.1:${port};`)
      .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${keywardPort};`)
      .replace('server 127.0.0.1:3000;', `server 127.0.0.1:${api.port};`)
      .replace('worker_processes auto;', 'worker_processes 1;');
    writeFileSync(join(prefix, 'nginx.conf'), conf);
    nginx = spawn(
      NGINX,
      ['-p', `${prefix}/`, '-c', join(prefix, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    nginx.stderr?.on('data', (chunk) => {
      nginxLog += String(chunk);
    });
    await waitForPort(port, nginx, () => nginxLog);
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx.once('exit', r));
      nginx.kill('SIGTERM');
      await exited;
    }
    await api?.close();
    await h?.close();
    if (prefix) rmSync(prefix, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

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

  it('revoked through the API: the very next request through nginx is 401', async () => {
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

  it('Keyward sees the client address nginx sends (trusted proxy), for last-used IPs', async () => {
    const { token, id } = await tokenWithScopes(h, ['api:read']);
    expect(
      (await get('/api/orders', { authorization: `Bearer ${token}`, 'x-forwarded-for': '6.6.6.6' })).status,
    ).toBe(200);
    await h.deps.usage.flush();
    const stored = await h.storage.tokens.get(h.projectId as never, id as never);
    // nginx replaces the client's X-Forwarded-For with the socket address: no spoofing.
    expect(stored?.lastUsedIps).toEqual(['127.0.0.1']);
  });
});
