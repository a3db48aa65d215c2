import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, startHarness } from './harness.ts';

// Seed 003: a coordinator API with client, miner and admin keys.
const ROLES = {
  client: ['jobs:submit', 'jobs:read'],
  miner: ['jobs:read', 'results:write'],
  admin: ['jobs:*', 'results:*', 'miners:admin'],
};

describe('roles as scope bundles (client, miner, admin)', () => {
  let h: Harness;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    h = await startHarness();
    for (const [name, scopes] of Object.entries(ROLES)) {
      const role = await call(h.app, 'POST', '/v1/roles', h.adminToken, {
        name,
        scopes,
        description: `${name} keys`,
      });
      expect(role.status).toBe(201);
      const token = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
        name: `${name} key`,
        role_id: role.body.id,
      });
      expect(token.status).toBe(201);
      expect(token.body.scopes).toEqual([...scopes].sort());
      tokens[name] = token.body.token;
    }
  });
  afterAll(() => h.close());

  test('the roles are listed with the defaults', async () => {
    const roles = await call(h.app, 'GET', '/v1/roles', h.adminToken);
    expect(roles.body.data.map((r: { name: string }) => r.name).sort()).toEqual(
      ['accounting', 'admin', 'client', 'miner', 'owner'].sort(),
    );
  });

  test('GET /v1/me names the role a token holds and its hint', async () => {
    const me = await call(h.app, 'GET', '/v1/me', tokens.client ?? '');
    expect(me.body.role.name).toBe('client');
    expect(me.body.hint).toBe(`kw_…${(tokens.client ?? '').slice(-4)}`);
  });

  test('a client token is refused where only admin scopes pass', async () => {
    const verdicts = await Promise.all(
      Object.entries(tokens).map(async ([name, token]) => {
        const check = await h.deps.verifier.verify(token, ['miners:admin']);
        return [name, check.outcome.code] as const;
      }),
    );
    expect(Object.fromEntries(verdicts)).toEqual({
      client: 'INSUFFICIENT_SCOPE',
      miner: 'INSUFFICIENT_SCOPE',
      admin: 'VALID',
    });
  });

  test('over HTTP, a client token gets 403 insufficient_scope on an admin-only operation', async () => {
    const res = await call(h.app, 'POST', '/v1/roles', tokens.client ?? '', {
      name: 'sneaky',
      scopes: ['jobs:read'],
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('INSUFFICIENT_SCOPE');
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="keyward", error="insufficient_scope", scope="roles:write"',
    );
  });

  test("changing a role's scopes changes its tokens' rights on the next request", async () => {
    const roles = await call(h.app, 'GET', '/v1/roles', h.adminToken);
    const client = roles.body.data.find((r: { name: string }) => r.name === 'client');
    expect((await call(h.app, 'GET', '/v1/me', tokens.client ?? '')).body.scopes).toEqual([
      'jobs:read',
      'jobs:submit',
    ]);
    const patched = await call(h.app, 'PATCH', `/v1/roles/${client.id}`, h.adminToken, {
      scopes: ['jobs:read'],
    });
    expect(patched.status).toBe(200);
    expect((await call(h.app, 'GET', '/v1/me', tokens.client ?? '')).body.scopes).toEqual(['jobs:read']);
  });

  test('a role held by tokens cannot be deleted; built-in roles never', async () => {
    const roles = await call(h.app, 'GET', '/v1/roles', h.adminToken);
    const byName = (n: string) => roles.body.data.find((r: { name: string }) => r.name === n);
    expect((await call(h.app, 'DELETE', `/v1/roles/${byName('miner').id}`, h.adminToken)).status).toBe(409);
    expect((await call(h.app, 'DELETE', `/v1/roles/${byName('owner').id}`, h.adminToken)).status).toBe(409);
    const unused = await call(h.app, 'POST', '/v1/roles', h.adminToken, {
      name: 'unused',
      scopes: ['x:read'],
    });
    expect((await call(h.app, 'DELETE', `/v1/roles/${unused.body.id}`, h.adminToken)).status).toBe(204);
  });
});
