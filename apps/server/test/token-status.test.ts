import { newId, type ProjectId, type RoleId } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashPassword } from '../src/services/bootstrap.ts';
import { call, type Harness, sessionHeaders, startHarness, tokenWithScopes } from './harness.ts';

const PASSWORD = 'a member with a password';

describe.each(['sqlite', 'postgres'] as const)('token status that tells the truth (%s)', (database) => {
  let h: Harness;
  let clock = Date.parse('2026-12-01T10:00:00Z');
  let developerRole: string;
  beforeAll(async () => {
    h = await startHarness({ database, now: () => clock, config: { errorRetentionDays: 7 } });
    developerRole = (
      await call(h.app, 'POST', '/v1/roles', h.adminToken, {
        name: 'developer',
        scopes: ['tokens:read', 'tokens:write', 'jobs:read'],
      })
    ).body.id;
  });
  afterAll(() => h.close());

  const show = (id: string) => call(h.app, 'GET', `/v1/tokens/${id}`, h.adminToken);
  const listed = async (query: string) =>
    ((await call(h.app, 'GET', `/v1/tokens?${query}`, h.adminToken)).body.data as { id: string }[]).map(
      (t) => t.id,
    );

  /** A member of the project (created directly, as an instance admin may) and a token of theirs. */
  async function memberToken() {
    const email = `dev-${newId('user').slice(4, 14).toLowerCase()}@example.com`;
    const user = await h.storage.users.create({
      id: newId('user', clock),
      email,
      name: email,
      passwordHash: await hashPassword(PASSWORD),
      active: true,
      instanceAdmin: false,
      rateLimits: [],
      createdAt: clock,
    });
    await h.storage.members.put({
      projectId: h.projectId as ProjectId,
      userId: user.id,
      roleId: developerRole as RoleId,
      createdAt: clock,
    });
    const session = await sessionHeaders(h, email, PASSWORD);
    const created = await call(
      h.app,
      'POST',
      '/v1/tokens',
      null,
      { name: 'dev', scopes: ['jobs:read'] },
      session,
    );
    expect(created.status).toBe(201);
    return { userId: user.id, token: created.body.token as string, id: created.body.id as string };
  }

  async function expectOwnerInactive(token: string, id: string) {
    expect((await show(id)).body.status).toBe('owner_inactive');
    expect(await listed('status=owner_inactive')).toContain(id);
    expect(await listed('status=active')).not.toContain(id);
    const me = await call(h.app, 'GET', '/v1/me', token);
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('TOKEN_OWNER_INACTIVE');
    const { token: verifier } = await tokenWithScopes(h, ['tokens:verify']);
    const verified = await call(h.app, 'POST', '/v1/verify', verifier, { token });
    expect(verified.body).toMatchObject({ valid: false, code: 'OWNER_INACTIVE' });
  }

  test('a deactivated user’s token lists as owner_inactive and is refused; reactivated, it is active', async () => {
    const { userId, token, id } = await memberToken();
    expect((await show(id)).body.status).toBe('active');
    expect((await call(h.app, 'GET', '/v1/me', token)).status).toBe(200);
    expect((await call(h.app, 'PATCH', `/v1/users/${userId}`, h.adminToken, { active: false })).status).toBe(
      200,
    );
    await expectOwnerInactive(token, id);
    expect((await call(h.app, 'PATCH', `/v1/users/${userId}`, h.adminToken, { active: true })).status).toBe(
      200,
    );
    expect((await show(id)).body.status).toBe('active');
    expect(await listed('status=active')).toContain(id);
  });

  test('a token of a user removed from the project is revoked with the membership, and lists so', async () => {
    const { userId, token, id } = await memberToken();
    expect((await call(h.app, 'DELETE', `/v1/members/${userId}`, h.adminToken)).status).toBe(204);
    expect((await call(h.app, 'GET', `/v1/tokens/${id}`, h.adminToken)).body.status).toBe('revoked');
    expect((await call(h.app, 'GET', '/v1/me', token)).body.code).toBe('TOKEN_REVOKED');
  });

  test('a token of a deactivated service account lists as owner_inactive', async () => {
    const account = await call(h.app, 'POST', '/v1/service-accounts', h.adminToken, {
      name: 'ci',
      role_id: developerRole,
    });
    const created = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'ci token',
      scopes: ['jobs:read'],
      service_account_id: account.body.id,
    });
    expect(created.status).toBe(201);
    const patched = await call(h.app, 'PATCH', `/v1/service-accounts/${account.body.id}`, h.adminToken, {
      active: false,
    });
    expect(patched.status).toBe(200);
    await expectOwnerInactive(created.body.token, created.body.id);
  });

  test('after a rotation without grace the old secret answers TOKEN_ROTATED until the error retention ends', async () => {
    const { token, id } = await tokenWithScopes(h, ['jobs:read']);
    expect((await call(h.app, 'GET', '/v1/me', token)).status).toBe(200);
    const rotated = await call(h.app, 'POST', `/v1/tokens/${id}/rotate`, h.adminToken, {
      grace_period_seconds: 0,
    });
    expect(rotated.status).toBe(200);
    const me = await call(h.app, 'GET', '/v1/me', token);
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('TOKEN_ROTATED');
    expect(me.headers['www-authenticate']).toContain('error="invalid_token"');
    const gate = await h.app.inject({
      method: 'GET',
      url: '/v1/authorize',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(gate.statusCode).toBe(401);
    expect(gate.headers['x-keyward-error-code']).toBe('TOKEN_ROTATED');
    const { token: verifier } = await tokenWithScopes(h, ['tokens:verify']);
    expect((await call(h.app, 'POST', '/v1/verify', verifier, { token })).body.code).toBe('ROTATED');
    expect((await call(h.app, 'GET', '/v1/me', rotated.body.token)).status).toBe(200);

    // A second rotation keeps the first secret's answer, and ends the second one too.
    const again = await call(h.app, 'POST', `/v1/tokens/${id}/rotate`, h.adminToken, {
      grace_period_seconds: 0,
    });
    for (const old of [token, rotated.body.token]) {
      expect((await call(h.app, 'GET', '/v1/me', old)).body.code).toBe('TOKEN_ROTATED');
    }
    expect((await call(h.app, 'GET', '/v1/me', again.body.token)).status).toBe(200);

    clock += 8 * 86_400_000;
    await h.storage.tokens.purgeEndedSecrets(clock - h.deps.config.errorRetentionDays * 86_400_000);
    h.deps.verifier.invalidateAll();
    expect((await call(h.app, 'GET', '/v1/me', token)).body.code).toBe('TOKEN_INVALID');
    expect((await call(h.app, 'GET', '/v1/me', again.body.token)).status).toBe(200);
  });

  test('a token ended by a grace period answers TOKEN_ROTATED too', async () => {
    const { token, id } = await tokenWithScopes(h, ['jobs:read']);
    await call(h.app, 'POST', `/v1/tokens/${id}/rotate`, h.adminToken, { grace_period_seconds: 60 });
    expect((await call(h.app, 'GET', '/v1/me', token)).status).toBe(200);
    clock += 61_000;
    expect((await call(h.app, 'GET', '/v1/me', token)).body.code).toBe('TOKEN_ROTATED');
  });

  test('the list and the token name each token’s role', async () => {
    const role = await call(h.app, 'POST', '/v1/roles', h.adminToken, {
      name: 'reader',
      scopes: ['jobs:read'],
    });
    const bound = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'bound',
      role_id: role.body.id,
    });
    const free = await tokenWithScopes(h, ['jobs:read']);
    expect(bound.body).toMatchObject({ role_id: role.body.id, role_name: 'reader' });
    const page = (await call(h.app, 'GET', '/v1/tokens?limit=200', h.adminToken)).body.data as {
      id: string;
      role_name: string | null;
    }[];
    expect(page.find((t) => t.id === bound.body.id)?.role_name).toBe('reader');
    expect(page.find((t) => t.id === free.id)?.role_name).toBeNull();
    expect((await show(bound.body.id)).body.role_name).toBe('reader');
  });

  test('admitted uses and refusals are counted apart; last used follows admitted ones only', async () => {
    const { token, id } = await tokenWithScopes(h, ['jobs:read']);
    const gate = (scopes: string) =>
      h.app.inject({
        method: 'GET',
        url: '/v1/authorize',
        headers: { authorization: `Bearer ${token}`, 'x-keyward-required-scopes': scopes },
      });
    for (let i = 0; i < 3; i++) expect((await gate('jobs:read')).statusCode).toBe(200);
    for (let i = 0; i < 2; i++) expect((await gate('jobs:write')).statusCode).toBe(403);
    await h.deps.usage.flush();
    const after = (await show(id)).body;
    expect(after.usage).toEqual({ admitted: 3, refused: 2 });
    expect(after.last_used_at).not.toBeNull();

    const { token: idle, id: idleId } = await tokenWithScopes(h, ['jobs:read']);
    await call(h.app, 'POST', `/v1/tokens/${idleId}/disable`, h.adminToken);
    expect((await call(h.app, 'GET', '/v1/me', idle)).status).toBe(401);
    await h.deps.usage.flush();
    const refusedOnly = (await show(idleId)).body;
    expect(refusedOnly.usage).toEqual({ admitted: 0, refused: 1 });
    expect(refusedOnly.last_used_at).toBeNull();
  });
});
