import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, startHarness } from './harness.ts';
import { startTcpProxy } from './tcp-proxy.ts';

describe('errors with ids', () => {
  let h: Harness;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  beforeAll(async () => {
    h = await startHarness({ now: () => clock, config: { errorRetentionDays: 7 } });
  });
  afterAll(() => h.close());

  test('401 without a token: RFC 6750 challenge, problem+json, request id', async () => {
    const res = await call(h.app, 'GET', '/v1/me', null);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="keyward"');
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
      type: 'https://keyward.dev/errors/unauthenticated',
    });
    expect(res.headers['x-request-id']).toMatch(/^req_/);
  });

  test('an unknown route is a problem too', async () => {
    const res = await call(h.app, 'GET', '/v1/nope', null);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('ROUTE_NOT_FOUND');
  });

  test('an anonymous error record is readable only by admins of no project: 404 for a token', async () => {
    const failed = await call(h.app, 'GET', '/v1/me', null);
    const lookup = await call(h.app, 'GET', `/v1/errors/${failed.body.error_id}`, h.adminToken);
    expect(lookup.status).toBe(404);
  });

  test('project admins read their project’s records; records past retention are purged', async () => {
    const { token } = (
      await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: 'n', scopes: ['jobs:read'] })
    ).body;
    const failed = await call(h.app, 'GET', '/v1/tokens', token);
    expect((await call(h.app, 'GET', `/v1/errors/${failed.body.error_id}`, h.adminToken)).status).toBe(200);
    clock += 8 * 86_400_000;
    const removed = await h.storage.errors.purge(clock - h.deps.config.errorRetentionDays * 86_400_000);
    expect(removed).toBeGreaterThan(0);
    expect((await call(h.app, 'GET', `/v1/errors/${failed.body.error_id}`, h.adminToken)).status).toBe(404);
  });

  test('the database going away is 503 with Retry-After, never 401, and it recovers without a restart', async () => {
    const proxy = await startTcpProxy(5432);
    const db = await startHarness({
      database: 'postgres',
      postgresUrl: `postgres://postgres@127.0.0.1:${proxy.port}/test`,
    });
    try {
      expect((await call(db.app, 'GET', '/v1/tokens', db.adminToken)).status).toBe(200);
      await proxy.stop();
      const fresh = await call(db.app, 'POST', '/v1/tokens', db.adminToken, { name: 'x', scopes: ['a:b'] });
      expect(fresh.status).toBe(503);
      expect(fresh.body.code).toBe('DATABASE_UNAVAILABLE');
      expect(fresh.headers['retry-after']).toBeDefined();
      expect((await call(db.app, 'GET', '/readyz', null)).status).toBe(503);
      await proxy.start();
      expect((await call(db.app, 'GET', '/readyz', null)).status).toBe(200);
      expect(
        (await call(db.app, 'POST', '/v1/tokens', db.adminToken, { name: 'x', scopes: ['a:b'] })).status,
      ).toBe(201);
    } finally {
      await proxy.start();
      await db.close();
      await proxy.stop();
    }
  });
});
