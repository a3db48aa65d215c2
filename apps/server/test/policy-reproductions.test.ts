import { newId, type ProjectId, type RoleId } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashPassword } from '../src/services/bootstrap.ts';
import { call, type Harness, sessionHeaders, startHarness, tokenWithScopes } from './harness.ts';

// Issue 9 §1: each reproduction answered with a refusal, beside the allowed neighbour that shows
// the refusal is about the rule and not about the route.

const NARROW = ['tokens:read', 'tokens:write', 'deploys:write'];

describe.each(['sqlite', 'postgres'] as const)('one authorization policy (%s)', (database) => {
  let h: Harness;
  let narrow: string;
  const bob = { email: 'bob@example.com', password: 'bob has a long password' };
  let bobUserId: string;

  const me = (token: string) => call(h.app, 'GET', '/v1/me', token);
  const post = (url: string, token: string | null, body: unknown = {}, headers = {}) =>
    call(h.app, 'POST', url, token, body, headers);

  beforeAll(async () => {
    h = await startHarness({ database });
    narrow = (await tokenWithScopes(h, NARROW, 'narrow')).token;
    // Bob is an ordinary member holding the narrow rights; the instance admin is someone else.
    const role = await call(h.app, 'POST', '/v1/roles', h.adminToken, { name: 'deployer', scopes: NARROW });
    const now = Date.now();
    bobUserId = newId('user', now);
    await h.storage.users.create({
      id: bobUserId as `usr_${string}`,
      email: bob.email,
      name: 'Bob',
      passwordHash: await hashPassword(bob.password),
      active: true,
      instanceAdmin: false,
      rateLimits: [],
      createdAt: now,
    });
    await h.storage.members.put({
      projectId: h.projectId as ProjectId,
      userId: bobUserId as `usr_${string}`,
      roleId: role.body.id as RoleId,
      createdAt: now,
    });
  });
  afterAll(() => h.close());

  test('rotate checks the role’s current scopes: a role widened to *:* is out of a narrow caller’s reach', async () => {
    const role = await call(h.app, 'POST', '/v1/roles', h.adminToken, {
      name: 'widened',
      scopes: ['deploys:write'],
    });
    const bound = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'bound',
      role_id: role.body.id,
    });
    expect((await post(`/v1/tokens/${bound.body.id}/rotate`, narrow)).status).toBe(200);
    await call(h.app, 'PATCH', `/v1/roles/${role.body.id}`, h.adminToken, { scopes: ['*:*'] });
    const rotated = await post(`/v1/tokens/${bound.body.id}/rotate`, narrow);
    expect(rotated.status).toBe(403);
    expect(rotated.body.code).toBe('SCOPE_ESCALATION');
    expect(rotated.body.missing_scopes).toEqual(['*:*']);
    expect(rotated.body.token).toBeUndefined();
    const record = await call(h.app, 'GET', `/v1/errors/${rotated.body.error_id}`, narrow);
    expect(record.body.context).toMatchObject({ policy_action: 'token.rotate', missing_scopes: ['*:*'] });
  });

  test('enable: a narrow caller cannot make a disabled *:* token usable again, but may enable its peers', async () => {
    const wide = await tokenWithScopes(h, ['*:*'], 'wide');
    const peer = await tokenWithScopes(h, ['deploys:write'], 'peer');
    for (const t of [wide, peer])
      expect((await post(`/v1/tokens/${t.id}/disable`, h.adminToken)).status).toBe(200);
    const refused = await post(`/v1/tokens/${wide.id}/enable`, narrow);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('SCOPE_ESCALATION');
    expect((await me(wide.token)).body.code).toBe('TOKEN_DISABLED');
    expect((await post(`/v1/tokens/${peer.id}/enable`, narrow)).status).toBe(200);
    expect((await me(peer.token)).status).toBe(200);
  });

  test('PATCH expires_at null: not on a wider token, never beyond the caller’s own expiry or the project’s policy', async () => {
    const wide = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'wide, an hour',
      scopes: ['*:*'],
      expires_in_seconds: 3600,
    });
    const unexpire = (id: string, token: string) =>
      call(h.app, 'PATCH', `/v1/tokens/${id}`, token, { expires_at: null });
    const refused = await unexpire(wide.body.id, narrow);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('SCOPE_ESCALATION');
    expect(
      (await call(h.app, 'GET', `/v1/tokens/${wide.body.id}`, h.adminToken)).body.expires_at,
    ).not.toBeNull();

    const short = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'short',
      scopes: NARROW,
      expires_in_seconds: 3600,
    });
    const peer = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'peer, an hour',
      scopes: ['deploys:write'],
      expires_in_seconds: 3600,
    });
    const outlive = await unexpire(peer.body.id, short.body.token);
    expect(outlive.status).toBe(403);
    expect(outlive.body.code).toBe('LIFETIME_EXCEEDED');
    const ownExpiry = await unexpire(short.body.id, short.body.token);
    expect(ownExpiry.body.code).toBe('LIFETIME_EXCEEDED');
    expect((await unexpire(peer.body.id, narrow)).status).toBe(200);

    await call(h.app, 'PATCH', `/v1/projects/${h.projectId}`, h.adminToken, {
      settings: { max_token_lifetime_seconds: 86_400 },
    });
    const capped = await tokenWithScopes(h, ['deploys:write'], 'capped').catch((e: Error) => e.message);
    expect(capped).toContain('403');
    const policy = await unexpire(short.body.id, h.adminToken);
    expect(policy.status).toBe(403);
    expect(policy.body.code).toBe('LIFETIME_EXCEEDED');
    await call(h.app, 'PATCH', `/v1/projects/${h.projectId}`, h.adminToken, {
      settings: { max_token_lifetime_seconds: null },
    });
  });

  test("another user's token: no secret that acts as them; no revoking or disabling a wider one", async () => {
    const session = await sessionHeaders(h, bob.email, bob.password);
    const adminsPeer = await tokenWithScopes(h, ['deploys:write'], "admin's peer");
    const rotated = await post(`/v1/tokens/${adminsPeer.id}/rotate`, null, {}, session);
    expect(rotated.status).toBe(403);
    expect(rotated.body.code).toBe('FORBIDDEN');
    expect(rotated.body.token).toBeUndefined();

    const bootstrapId = (await me(h.adminToken)).body.token_id as string;
    for (const action of ['revoke', 'disable']) {
      const refused = await post(`/v1/tokens/${bootstrapId}/${action}`, null, {}, session);
      expect(refused.status, action).toBe(403);
      expect(refused.body.code).toBe('SCOPE_ESCALATION');
    }
    expect((await me(h.adminToken)).status).toBe(200);

    // Bob's own tokens are his to rotate; incident response (projects:admin) stops any token.
    const own = await post('/v1/tokens', null, { name: 'bob', scopes: ['deploys:write'] }, session);
    expect(own.status).toBe(201);
    const again = await post(`/v1/tokens/${own.body.id}/rotate`, null, {}, session);
    expect(again.status).toBe(200);
    expect((await me(again.body.token)).body.owner.id).toBe(bobUserId);
    const responder = (await tokenWithScopes(h, ['tokens:write', 'projects:admin'], 'responder')).token;
    const wide = await tokenWithScopes(h, ['*:*'], 'wide, stopped');
    expect((await post(`/v1/tokens/${wide.id}/disable`, responder)).status).toBe(200);
    expect((await post(`/v1/tokens/${wide.id}/enable`, responder)).body.code).toBe('SCOPE_ESCALATION');
    expect((await post(`/v1/tokens/${wide.id}/revoke`, responder)).status).toBe(200);
  });

  test('a token may revoke itself without tokens:write', async () => {
    const lone = await tokenWithScopes(h, ['deploys:read'], 'lone');
    const other = await tokenWithScopes(h, ['deploys:read'], 'other');
    expect((await post(`/v1/tokens/${other.id}/revoke`, lone.token)).body.code).toBe('INSUFFICIENT_SCOPE');
    expect((await post(`/v1/tokens/${lone.id}/revoke`, lone.token)).status).toBe(200);
    expect((await me(lone.token)).body.code).toBe('TOKEN_REVOKED');
  });

  test('personal key: from a session, or a token with me:api-key holding every right for as long', async () => {
    const admin = await sessionHeaders(h);
    const first = await post('/v1/me/api-key', null, {}, admin);
    expect(first.status).toBe(201);
    const fleeting = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'fleeting',
      scopes: ['deploys:write'],
      expires_in_seconds: 60,
    });
    const narrowKey = await post('/v1/me/api-key', fleeting.body.token);
    expect(narrowKey.status).toBe(403);
    expect(narrowKey.body.code).toBe('INSUFFICIENT_SCOPE');
    expect(narrowKey.body.missing_scopes).toEqual(['me:api-key']);

    const everything = ['*:*', 'keyward:admin'];
    const shortLived = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'short',
      scopes: everything,
      expires_in_seconds: 3600,
    });
    expect((await post('/v1/me/api-key', shortLived.body.token)).body.code).toBe('LIFETIME_EXCEEDED');
    const notAdmin = await tokenWithScopes(h, ['*:*'], 'project-wide only');
    expect((await post('/v1/me/api-key', notAdmin.token)).body.code).toBe('SCOPE_ESCALATION');
    // Every refusal left the real key alone.
    expect((await me(first.body.token)).status).toBe(200);

    const full = await tokenWithScopes(h, everything, 'full');
    const regenerated = await post('/v1/me/api-key', full.token);
    expect(regenerated.status).toBe(201);
    expect((await me(first.body.token)).body.code).toBe('TOKEN_REVOKED');
    expect((await me(regenerated.body.token)).body.scopes).toEqual(expect.arrayContaining(everything));
  });

  test('roles:write cannot edit or delete a role wider than itself', async () => {
    const editor = (await tokenWithScopes(h, ['roles:read', 'roles:write', 'deploys:read'], 'editor')).token;
    const wide = await call(h.app, 'POST', '/v1/roles', h.adminToken, { name: 'ops', scopes: ['deploys:*'] });
    const small = await call(h.app, 'POST', '/v1/roles', h.adminToken, {
      name: 'viewer',
      scopes: ['deploys:read'],
    });
    const edit = await call(h.app, 'PATCH', `/v1/roles/${wide.body.id}`, editor, { description: 'mine now' });
    expect(edit.status).toBe(403);
    expect(edit.body.code).toBe('SCOPE_ESCALATION');
    const narrowed = await call(h.app, 'PATCH', `/v1/roles/${wide.body.id}`, editor, {
      scopes: ['deploys:read'],
    });
    expect(narrowed.body.code).toBe('SCOPE_ESCALATION');
    const deleted = await call(h.app, 'DELETE', `/v1/roles/${wide.body.id}`, editor);
    expect(deleted.status).toBe(403);
    expect(
      (await call(h.app, 'GET', '/v1/roles', h.adminToken)).body.data.map((r: { id: string }) => r.id),
    ).toContain(wide.body.id);
    expect((await call(h.app, 'DELETE', `/v1/roles/${small.body.id}`, editor)).status).toBe(204);
  });

  test('members: removing or demoting someone wider than the caller is refused', async () => {
    const manager = (await tokenWithScopes(h, ['members:read', 'members:write', '*:*'], 'manager')).token;
    const accounting = (await call(h.app, 'GET', '/v1/roles', h.adminToken)).body.data.find(
      (r: { name: string }) => r.name === 'accounting',
    ).id;
    // The instance administrator holds keyward:admin, which a project's *:* does not reach.
    const removed = await call(h.app, 'DELETE', `/v1/members/${h.userId}`, manager);
    expect(removed.status).toBe(403);
    expect(removed.body.missing_scopes).toEqual(['keyward:admin']);
    const demoted = await call(h.app, 'PATCH', `/v1/members/${h.userId}`, manager, { role_id: accounting });
    expect(demoted.body.code).toBe('SCOPE_ESCALATION');
    const bobDemoted = await call(h.app, 'PATCH', `/v1/members/${bobUserId}`, manager, {
      role_id: accounting,
    });
    expect(bobDemoted.status).toBe(200);
  });
});
