import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Harness, sessionHeaders, startHarness, tokenWithScopes } from './harness.ts';

/**
 * The verify cache on one node: warm entries answer without the database, and every change to a
 * token, its role or its owner takes effect on the very next request. Each "warm" request is
 * proven warm by issuing no SQL statement at all.
 */
describe.each(['sqlite', 'postgres'] as const)('verify cache with immediate revocation (%s)', (database) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      database,
      // The verification cache alone: on PostgreSQL a limited token's first requests ask the
      // database for units (ADR 0016), which its own tests count.
      config: {
        usageFlushIntervalSeconds: 3600,
        failedAuthRateLimits: 'none',
        defaultTokenRateLimits: 'none',
      },
    });
  });
  afterAll(async () => h.close());

  const authorize = async (token: string, scopes = '') =>
    (
      await h.app.inject({
        method: 'GET',
        url: '/v1/authorize',
        headers: { authorization: `Bearer ${token}`, 'x-keyward-required-scopes': scopes },
      })
    ).statusCode;

  /** Status of one authorization and how many SQL statements it issued. */
  async function measured(token: string, scopes = '') {
    const before = h.storage.statementCount();
    const status = await authorize(token, scopes);
    return { status, statements: h.storage.statementCount() - before };
  }

  /** Two authorizations: the first may read, the second must come from the cache. */
  async function warm(token: string, scopes = '') {
    expect(await authorize(token, scopes)).toBe(200);
    expect(await measured(token, scopes)).toEqual({ status: 200, statements: 0 });
  }

  it('revoke: refused by the very next request', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    await warm(token);
    expect((await call(h.app, 'POST', `/v1/tokens/${id}/revoke`, h.adminToken, {})).status).toBe(200);
    expect(await authorize(token)).toBe(401);
  });

  it('rotate with grace 0: the old secret is refused by the very next request, the new one works', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    await warm(token);
    const rotated = await call(h.app, 'POST', `/v1/tokens/${id}/rotate`, h.adminToken, {
      grace_period_seconds: 0,
    });
    expect(rotated.status).toBe(200);
    expect(await authorize(token)).toBe(401);
    expect(await authorize(rotated.body.token)).toBe(200);
  });

  it('narrowing the scopes of a token: the very next request lacks them', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read', 'data:write']);
    await warm(token, 'data:write');
    const patched = await call(h.app, 'PATCH', `/v1/tokens/${id}`, h.adminToken, { scopes: ['data:read'] });
    expect(patched.status).toBe(200);
    expect(await authorize(token, 'data:write')).toBe(403);
    expect(await authorize(token, 'data:read')).toBe(200);
  });

  it("narrowing the scopes of a token's role: the very next request lacks them", async () => {
    const role = await call(h.app, 'POST', '/v1/roles', h.adminToken, {
      name: `client-${Date.now()}`,
      scopes: ['data:read', 'data:write'],
    });
    expect(role.status).toBe(201);
    const created = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'by role',
      role_id: role.body.id,
    });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    await warm(token, 'data:write');
    const patched = await call(h.app, 'PATCH', `/v1/roles/${role.body.id}`, h.adminToken, {
      scopes: ['data:read'],
    });
    expect(patched.status).toBe(200);
    expect(await authorize(token, 'data:write')).toBe(403);
  });

  it("deactivating the token's user: refused by the very next request", async () => {
    const roles = await call(h.app, 'GET', '/v1/roles', h.adminToken);
    const owner = roles.body.data.find((r: { name: string }) => r.name === 'owner');
    const email = `dev-${Date.now()}@example.com`;
    const password = 'another correct horse battery';
    const member = await call(h.app, 'POST', '/v1/members', h.adminToken, {
      email,
      role_id: owner.id,
      password,
    });
    expect(member.status).toBe(201);
    const session = await sessionHeaders(h, email, password);
    const created = await call(
      h.app,
      'POST',
      '/v1/tokens',
      null,
      { name: 'dev', scopes: ['data:read'] },
      session,
    );
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    await warm(token);
    const userId = created.body.owner.id as string;
    const patched = await call(h.app, 'PATCH', `/v1/users/${userId}`, h.adminToken, { active: false });
    expect(patched.status).toBe(200);
    expect(await authorize(token)).toBe(401);
  });

  it('1,000 concurrent first requests with one uncached token share one database read', async () => {
    const { token } = await tokenWithScopes(h, ['data:read']);
    const before = h.storage.statementCount();
    const statuses = await Promise.all(Array.from({ length: 1000 }, () => authorize(token)));
    expect(h.storage.statementCount() - before).toBe(1);
    expect(new Set(statuses)).toEqual(new Set([200]));
  });

  it('malformed tokens never reach the database', async () => {
    const { token: caller } = await tokenWithScopes(h, ['tokens:verify']);
    const verify = (token: string) => call(h.app, 'POST', '/v1/verify', caller, { token });
    expect((await verify('warm-up-the-caller')).status).toBe(200);
    const before = h.storage.statementCount();
    for (const bad of [
      'kw_short',
      'kw_0000000000000000000000000000000000000000000000000',
      'nope',
      'Bearer',
    ]) {
      expect((await verify(bad)).body).toMatchObject({ valid: false, code: 'MALFORMED' });
    }
    expect(h.storage.statementCount() - before).toBe(0);
  });
});
