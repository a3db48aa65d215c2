import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, otherProjectToken, sessionHeaders, startHarness } from './harness.ts';
import { invite, inviteNewMember } from './invite-helpers.ts';

const MANAGER_SCOPES = [
  'tokens:read',
  'tokens:write',
  'roles:read',
  'roles:write',
  'members:read',
  'members:write',
  'service_accounts:read',
  'service_accounts:write',
  'projects:admin',
  'audit:read',
  'jobs:read',
];

type Ids = {
  token: string;
  role: string;
  wideRole: string;
  account: string;
  user: string;
  invitation: string;
  project: string;
};

describe('no escalation and no cross-tenant reach on any mutating route', () => {
  let h: Harness;
  let manager: string;
  let foreign: string;
  const mine = {} as Ids;
  const theirs = {} as Ids;

  beforeAll(async () => {
    h = await startHarness();
    manager = (
      await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: 'manager', scopes: MANAGER_SCOPES })
    ).body.token;
    foreign = await otherProjectToken(h);
    for (const [token, ids] of [
      [h.adminToken, mine],
      [foreign, theirs],
    ] as const) {
      ids.role = (
        await call(h.app, 'POST', '/v1/roles', token, { name: 'reader', scopes: ['jobs:read'] })
      ).body.id;
      ids.wideRole = (
        await call(h.app, 'POST', '/v1/roles', token, { name: 'writer', scopes: ['jobs:write'] })
      ).body.id;
      ids.token = (
        await call(h.app, 'POST', '/v1/tokens', token, { name: 't', scopes: ['jobs:read'] })
      ).body.id;
      ids.account = (
        await call(h.app, 'POST', '/v1/service-accounts', token, { name: 'ci', role_id: ids.role })
      ).body.id;
      ids.user = await inviteNewMember(
        h,
        token,
        `u${Math.random()}@example.com`,
        ids.role,
        'a long password',
      );
      ids.invitation = (await invite(h, token, `i${Math.random()}@example.com`, ids.role)).id;
      ids.project = (await call(h.app, 'GET', '/v1/me', token)).body.project_id;
    }
  });
  afterAll(() => h.close());

  // Each attempt asks for rights the manager does not hold (jobs:write or a role carrying it).
  const escalations: [string, 'POST' | 'PATCH', (ids: Ids) => string, (ids: Ids) => unknown][] = [
    [
      'create token with wider scopes',
      'POST',
      () => '/v1/tokens',
      () => ({ name: 'x', scopes: ['jobs:write'] }),
    ],
    ['create token with a wildcard', 'POST', () => '/v1/tokens', () => ({ name: 'x', scopes: ['*:*'] })],
    [
      'create token with a wider role',
      'POST',
      () => '/v1/tokens',
      (i) => ({ name: 'x', role_id: i.wideRole }),
    ],
    [
      'widen a token',
      'PATCH',
      (i) => `/v1/tokens/${i.token}`,
      () => ({ scopes: ['jobs:read', 'jobs:write'] }),
    ],
    ['give a token a wider role', 'PATCH', (i) => `/v1/tokens/${i.token}`, (i) => ({ role_id: i.wideRole })],
    [
      'onboarding alias with wider scopes',
      'POST',
      () => '/admin/generate-token',
      () => ({ scopes: ['jobs:write'] }),
    ],
    [
      'import keys with a wider role',
      'POST',
      () => '/v1/tokens/import',
      (i) => ({ keys: [{ key: 'k'.repeat(20), name: 'k', role_id: i.wideRole }] }),
    ],
    ['define a wider role', 'POST', () => '/v1/roles', () => ({ name: 'sneaky', scopes: ['jobs:write'] })],
    ['widen a role', 'PATCH', (i) => `/v1/roles/${i.role}`, () => ({ scopes: ['jobs:read', 'jobs:write'] })],
    [
      'invite a member with a wider role',
      'POST',
      () => '/v1/invitations',
      (i) => ({ email: 'n@example.com', role_id: i.wideRole }),
    ],
    ['promote a member', 'PATCH', (i) => `/v1/members/${i.user}`, (i) => ({ role_id: i.wideRole })],
    [
      'service account with a wider role',
      'POST',
      () => '/v1/service-accounts',
      (i) => ({ name: 'n', role_id: i.wideRole }),
    ],
    [
      'promote a service account',
      'PATCH',
      (i) => `/v1/service-accounts/${i.account}`,
      (i) => ({ role_id: i.wideRole }),
    ],
  ];

  test.each(escalations)('%s → 403 SCOPE_ESCALATION', async (_name, method, path, body) => {
    const res = await call(h.app, method, path(mine), manager, body(mine));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('SCOPE_ESCALATION');
    expect(res.body.error_id).toMatch(/^err_/);
  });

  test('rotating a token that holds more than the caller is refused', async () => {
    const wide = (
      await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: 'w', scopes: ['jobs:write'] })
    ).body.id;
    const res = await call(h.app, 'POST', `/v1/tokens/${wide}/rotate`, manager, {});
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('SCOPE_ESCALATION');
  });

  const crossTenant: [string, 'GET' | 'POST' | 'PATCH' | 'DELETE', (ids: Ids) => string, unknown][] = [
    ['show', 'GET', (i) => `/v1/tokens/${i.token}`, undefined],
    ['update', 'PATCH', (i) => `/v1/tokens/${i.token}`, { name: 'mine now' }],
    ['revoke', 'POST', (i) => `/v1/tokens/${i.token}/revoke`, {}],
    ['rotate', 'POST', (i) => `/v1/tokens/${i.token}/rotate`, {}],
    ['disable', 'POST', (i) => `/v1/tokens/${i.token}/disable`, {}],
    ['enable', 'POST', (i) => `/v1/tokens/${i.token}/enable`, {}],
    ['update role', 'PATCH', (i) => `/v1/roles/${i.role}`, { description: 'x' }],
    ['delete role', 'DELETE', (i) => `/v1/roles/${i.role}`, undefined],
    ['change member', 'PATCH', (i) => `/v1/members/${i.user}`, { role_id: 'rol_00000000000000000000000000' }],
    ['remove member', 'DELETE', (i) => `/v1/members/${i.user}`, undefined],
    ['revoke invitation', 'DELETE', (i) => `/v1/invitations/${i.invitation}`, undefined],
    ['show service account', 'GET', (i) => `/v1/service-accounts/${i.account}`, undefined],
    ['update service account', 'PATCH', (i) => `/v1/service-accounts/${i.account}`, { active: false }],
    ['show project', 'GET', (i) => `/v1/projects/${i.project}`, undefined],
    ['update project', 'PATCH', (i) => `/v1/projects/${i.project}`, { name: 'taken' }],
    [
      'create token for their service account',
      'POST',
      () => '/v1/tokens',
      { name: 'x', scopes: ['jobs:read'], service_account_id: 'SA' },
    ],
  ];

  test.each(crossTenant)("another project's object: %s → 404", async (_name, method, path, body) => {
    const payload =
      body && typeof body === 'object' && 'service_account_id' in body
        ? { ...body, service_account_id: theirs.account }
        : body;
    const res = await call(h.app, method, path(theirs), manager, payload);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
    // …and nothing changed on their side.
    const still = await call(h.app, 'GET', `/v1/tokens/${theirs.token}`, foreign);
    expect(still.body).toMatchObject({ status: 'active', name: 't' });
  });

  test.each([
    ['project_id', { name: 'x', scopes: ['jobs:read'], project_id: 'prj_00000000000000000000000000' }],
    ['owner_id', { name: 'x', scopes: ['jobs:read'], owner_id: 'usr_00000000000000000000000000' }],
    [
      'owner',
      { name: 'x', scopes: ['jobs:read'], owner: { type: 'user', id: 'usr_00000000000000000000000000' } },
    ],
  ])('owner and project never come from the body: %s → 400', async (field, body) => {
    const res = await call(h.app, 'POST', '/v1/tokens', manager, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors[0].unknown_field).toBe(field);
  });

  test('instance operations need keyward:admin, which a project owner’s *:* does not imply', async () => {
    const owner = (await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: 'o', scopes: ['*:*'] })).body
      .token;
    expect((await call(h.app, 'POST', '/v1/projects', owner, { name: 'mine' })).status).toBe(403);
    expect((await call(h.app, 'PATCH', `/v1/users/${h.userId}`, owner, { active: false })).status).toBe(403);
    expect(
      (await call(h.app, 'POST', '/v1/tokens', owner, { name: 'x', scopes: ['keyward:admin'] })).body.code,
    ).toBe('SCOPE_ESCALATION');
  });

  test("a user's tokens never exceed the user: narrowing the member's role narrows the token", async () => {
    const email = 'member@example.com';
    const password = 'a long enough password';
    const added = await call(h.app, 'POST', '/v1/members', h.adminToken, {
      email,
      password,
      role_id: mine.role,
    });
    expect(added.status).toBe(201);
    const session = await sessionHeaders(h, email, password);
    const tooWide = await call(
      h.app,
      'POST',
      '/v1/tokens',
      null,
      { name: 'x', scopes: ['jobs:write'] },
      session,
    );
    expect(tooWide.status).toBe(403);
    // Members hold no tokens:write through the reader role: give it, then mint within jobs:read.
    const roles = await call(h.app, 'GET', '/v1/roles', h.adminToken);
    const tokenRole = await call(h.app, 'POST', '/v1/roles', h.adminToken, {
      name: 'self-service',
      scopes: ['jobs:read', 'tokens:write'],
    });
    await call(h.app, 'PATCH', `/v1/members/${added.body.user_id}`, h.adminToken, {
      role_id: tokenRole.body.id,
    });
    const minted = await call(
      h.app,
      'POST',
      '/v1/tokens',
      null,
      { name: 'mine', scopes: ['jobs:read'] },
      session,
    );
    expect(minted.status).toBe(201);
    expect((await call(h.app, 'GET', '/v1/me', minted.body.token)).body.scopes).toEqual(['jobs:read']);
    const accounting = roles.body.data.find((r: { name: string }) => r.name === 'accounting').id;
    await call(h.app, 'PATCH', `/v1/members/${added.body.user_id}`, h.adminToken, { role_id: accounting });
    expect((await call(h.app, 'GET', '/v1/me', minted.body.token)).body.scopes).toEqual([]);
    await call(h.app, 'DELETE', `/v1/members/${added.body.user_id}`, h.adminToken);
    const gone = await call(h.app, 'GET', '/v1/me', minted.body.token);
    expect(gone.status).toBe(401);
    expect(gone.body.code).toBe('TOKEN_REVOKED');
  });
});
