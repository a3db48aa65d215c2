import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createDeps } from '../src/deps.ts';
import type { App, Deps } from '../src/types.ts';
import { call, type Harness, startHarness, tokenWithScopes } from './harness.ts';

/** Polls until `check` holds; returns how long it took (a figure to report, never asserted). */
async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 1));
  }
  return performance.now() - started;
}

describe('two nodes sharing PostgreSQL and Redis: revocation reaches the other node', () => {
  let a: Harness;
  let b: { app: App; deps: Deps };
  beforeAll(async () => {
    a = await startHarness({
      database: 'postgres',
      // The verification cache alone: on PostgreSQL a limited token's first requests ask the
      // database for units (ADR 0016), which its own tests count.
      config: {
        defaultTokenRateLimits: 'none',
        redisUrl: 'redis://127.0.0.1:6379',
        redisKeyPrefix: `kw-test-${randomBytes(6).toString('hex')}:`,
      },
    });
    const deps = await createDeps(a.deps.config, { storage: a.storage });
    b = { app: await buildApp(deps), deps };
    await b.app.ready();
    expect(await a.deps.invalidationBus?.waitUntilConnected()).toBe(true);
    expect(await b.deps.invalidationBus?.waitUntilConnected()).toBe(true);
  });
  afterAll(async () => {
    await b.app.close();
    await b.deps.rateLimits.close();
    await b.deps.invalidationBus?.close();
    await a.close();
  });

  /** A request on node B that issues no database statement: B answered from its cache. */
  async function cachedOnB(token: string) {
    const before = a.storage.statementCount();
    const res = await call(b.app, 'GET', '/v1/me', token);
    return { status: res.status, code: res.body?.code, statements: a.storage.statementCount() - before };
  }

  test('revoke on node A: node B, cache warm, refuses the token as soon as the change arrives', async () => {
    const { token, id } = await tokenWithScopes(a, ['jobs:read']);
    await call(b.app, 'GET', '/v1/me', token);
    expect(await cachedOnB(token)).toMatchObject({ status: 200, statements: 0 });
    const revoked = await call(a.app, 'POST', `/v1/tokens/${id}/revoke`, a.adminToken);
    expect(revoked.status).toBe(200);
    const ms = await until(async () => (await call(b.app, 'GET', '/v1/me', token)).status === 401);
    process.stdout.write(`revocation reached node B in ${ms.toFixed(1)} ms\n`);
    expect((await call(b.app, 'GET', '/v1/me', token)).body.code).toBe('TOKEN_REVOKED');
  });

  test('a role change on node A narrows the token on node B', async () => {
    const role = await call(a.app, 'POST', '/v1/roles', a.adminToken, {
      name: 'reader',
      scopes: ['jobs:read', 'jobs:list'],
    });
    const token = (
      await call(a.app, 'POST', '/v1/tokens', a.adminToken, { name: 'r', role_id: role.body.id })
    ).body.token;
    await call(b.app, 'GET', '/v1/me', token);
    expect(await cachedOnB(token)).toMatchObject({ status: 200, statements: 0 });
    await call(a.app, 'PATCH', `/v1/roles/${role.body.id}`, a.adminToken, { scopes: ['jobs:read'] });
    await until(async () => (await call(b.app, 'GET', '/v1/me', token)).body.scopes.length === 1);
  });

  test('a node cut off from the bus stops answering from its cache, and trusts it again once back', async () => {
    const { token } = await tokenWithScopes(a, ['jobs:read']);
    await call(b.app, 'GET', '/v1/me', token);
    expect((await cachedOnB(token)).statements).toBe(0);
    const admin = new Redis('redis://127.0.0.1:6379');
    try {
      const clients = String(await admin.client('LIST'));
      const line = clients
        .split('\n')
        .find((l) => l.includes(`name=keyward-bus-${b.deps.invalidationBus?.node}`));
      const clientId = /(?:^|\s)id=(\d+)/.exec(line ?? '')?.[1];
      expect(clientId).toBeDefined();
      await admin.client('KILL', 'ID', clientId ?? '');
    } finally {
      admin.disconnect();
    }
    // Until it is subscribed again, node B reads the database for every verification.
    await until(async () => (await cachedOnB(token)).statements > 0);
    await until(async () => b.deps.invalidationBus?.connected() === true);
    await call(b.app, 'GET', '/v1/me', token);
    expect((await cachedOnB(token)).statements).toBe(0);
  });
});
