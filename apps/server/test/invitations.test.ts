import { hashToken, MAX_EMAIL_REDEEM_FAILURES, MAX_REDEEM_FAILURES } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, sessionHeaders, startHarness, tokenWithScopes } from './harness.ts';
import { invite, inviteNewMember, redeem, roleId } from './invite-helpers.ts';

const BOB_PASSWORD = 'bob chose this password';
const VICTIM = 'victim@shared.test';

describe.each(['sqlite', 'postgres'] as const)('members join by invitation (%s)', (database) => {
  let h: Harness;
  let clock = Date.parse('2026-12-01T10:00:00Z');
  /** Project B, owned by bob, who is not an instance administrator. */
  let projectB: string;
  let bobToken: string;

  beforeAll(async () => {
    // No default token limit: on PostgreSQL a limited token's first requests ask the database for
    // units (ADR 0016), and the cache test below counts statements of the verification alone.
    h = await startHarness({
      database,
      now: () => clock,
      config: { failedAuthRateLimits: 'none', defaultTokenRateLimits: 'none' },
    });
    const created = await call(h.app, 'POST', '/v1/projects', h.adminToken, { name: 'B' });
    projectB = created.body.id;
    const admin = { ...(await sessionHeaders(h)), 'keyward-project': projectB };
    const ownerB = (await call(h.app, 'GET', '/v1/roles', null, undefined, admin)).body.data.find(
      (r: { name: string }) => r.name === 'owner',
    ).id;
    const adminInB = (
      await call(h.app, 'POST', '/v1/tokens', null, { name: 'admin in B', scopes: ['*:*'] }, admin)
    ).body.token;
    await inviteNewMember(h, adminInB, 'bob@b.test', ownerB, BOB_PASSWORD);
    const bob = { ...(await sessionHeaders(h, 'bob@b.test', BOB_PASSWORD)), 'keyward-project': projectB };
    bobToken = (await call(h.app, 'POST', '/v1/tokens', null, { name: 'bob', scopes: ['*:*'] }, bob)).body
      .token;
  });
  afterAll(() => h.close());

  test('the cross-tenant takeover is refused: bob cannot set a password for an email, nor use A', async () => {
    const ownerB = await roleId(h, bobToken, 'owner');
    // The old way: a project admin creates the account with a password of their choosing.
    const direct = await call(h.app, 'POST', '/v1/members', bobToken, {
      email: VICTIM,
      role_id: ownerB,
      password: BOB_PASSWORD,
    });
    expect(direct.status).toBe(403);
    expect(direct.body.missing_scopes).toEqual(['keyward:admin']);
    // Bob invites the email into B and redeems the code himself: an account with his password.
    const bobsCode = (await invite(h, bobToken, VICTIM, ownerB)).code;
    expect((await redeem(h, bobsCode, 'new', BOB_PASSWORD)).status).toBe(200);

    // A's owner invites the same email as owner of A.
    const ownerA = await roleId(h, h.adminToken, 'owner');
    const codeA = (await invite(h, h.adminToken, VICTIM, ownerA)).code;
    // Choosing a password does not take over (or reset) the existing account.
    const asNew = await redeem(h, codeA, 'new', 'the password A expects');
    expect(asNew.status).toBe(401);
    expect(asNew.body.code).toBe('INVALID_CREDENTIALS');
    const wrong = await redeem(h, codeA, 'existing', 'the password A expects');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'INVALID_CREDENTIALS', detail: asNew.body.detail });
    // Bob still signs in with his password, and holds nothing in A.
    const bob = await sessionHeaders(h, VICTIM, BOB_PASSWORD);
    for (const url of ['/v1/members', '/v1/tokens', '/v1/me']) {
      const res = await call(h.app, 'GET', url, null, undefined, { ...bob, 'keyward-project': h.projectId });
      expect(res.status).toBe(404);
    }
    expect((await call(h.app, 'GET', '/v1/me', null, undefined, bob)).body.project_id).toBe(projectB);
    // Nobody can join A with A's code without the account's own password: it is burnt after 5 tries.
    for (let n = 2; n < MAX_REDEEM_FAILURES; n++) {
      expect((await redeem(h, codeA, 'existing', `guess ${n}`)).status).toBe(401);
    }
    const burnt = await redeem(h, codeA, 'existing', BOB_PASSWORD);
    expect(burnt.body.code).toBe('INVITATION_INVALID');
    const members = await call(h.app, 'GET', '/v1/members', h.adminToken);
    expect(members.body.data.map((m: { email: string }) => m.email)).not.toContain(VICTIM);
  });

  test('fresh invitations give no fresh password guesses: failures count per email', async () => {
    const reader = await roleId(h, h.adminToken, 'accounting');
    const password = 'the target keeps this secret';
    await call(h.app, 'POST', '/v1/members', h.adminToken, {
      email: 'target@example.com',
      role_id: reader,
      password,
    });
    const ownerB = await roleId(h, bobToken, 'owner');
    for (let round = 0; round < MAX_EMAIL_REDEEM_FAILURES / MAX_REDEEM_FAILURES; round++) {
      const { code } = await invite(h, bobToken, 'target@example.com', ownerB);
      for (let n = 0; n < MAX_REDEEM_FAILURES; n++) {
        expect((await redeem(h, code, 'existing', `guess ${round}.${n}`)).status).toBe(401);
      }
    }
    const { code } = await invite(h, bobToken, 'target@example.com', ownerB);
    const right = await redeem(h, code, 'existing', password);
    expect(right.status).toBe(429);
    expect(right.headers['retry-after']).toBeDefined();
    expect((await sessionHeaders(h, 'target@example.com', password)).cookie).toMatch(/^kw_session=/);
  });

  test('inviting says nothing about accounts elsewhere: the answer is the same for a known email', async () => {
    const reader = await roleId(h, h.adminToken, 'accounting');
    const known = await call(h.app, 'POST', '/v1/invitations', h.adminToken, {
      email: 'bob@b.test',
      role_id: reader,
    });
    const unknown = await call(h.app, 'POST', '/v1/invitations', h.adminToken, {
      email: 'nobody@nowhere.test',
      role_id: reader,
    });
    expect(known.status).toBe(201);
    expect(unknown.status).toBe(201);
    const shape = (body: Record<string, unknown>) => ({
      ...body,
      id: 'x',
      code: 'x',
      email: 'x',
      created_at: 'x',
      expires_at: 'x',
    });
    expect(shape(known.body)).toEqual(shape(unknown.body));
    expect(known.body.created_by).toBe(h.userId);
    expect(known.raw.match(/usr_/g)).toHaveLength(1); // the caller's own id, nobody else's
    expect(known.headers['cache-control']).toBe('no-store');
    // The lookup shows the invitee what the code is for, and nothing about an account.
    const lookup = await call(h.app, 'POST', '/v1/invitations/lookup', null, { code: known.body.code });
    expect(lookup.body).toEqual({
      email: 'bob@b.test',
      project: { id: h.projectId, name: 'default' },
      role: 'accounting',
      expires_at: known.body.expires_at,
    });
  });

  test('an existing account joins with its own password and signs in to both projects', async () => {
    const reader = await roleId(h, h.adminToken, 'accounting');
    const { code } = await invite(h, h.adminToken, 'BOB@b.test', reader);
    const joined = await redeem(h, code, 'existing', BOB_PASSWORD);
    expect(joined.status).toBe(200);
    expect(joined.body.project_id).toBe(h.projectId);
    const bob = { ...(await sessionHeaders(h, 'bob@b.test', BOB_PASSWORD)), 'keyward-project': h.projectId };
    const me = await call(h.app, 'GET', '/v1/me', null, undefined, bob);
    expect(me.status).toBe(200);
    expect(me.body.project_id).toBe(h.projectId);
    // The code worked once.
    expect((await redeem(h, code, 'existing', BOB_PASSWORD)).body.code).toBe('INVITATION_INVALID');
  });

  test('a new account chooses its password; the code is stored only as a keyed hash', async () => {
    const reader = await roleId(h, h.adminToken, 'accounting');
    const invitation = await invite(h, h.adminToken, 'carol@example.com', reader);
    const stored = await h.storage.invitations.findByCodeHashes([
      hashToken(invitation.code, h.deps.peppers.current),
    ]);
    expect(stored?.id).toBe(invitation.id);
    expect(JSON.stringify(stored)).not.toContain(invitation.code.slice(6));
    const short = await redeem(h, invitation.code, 'new', 'too short');
    expect(short.status).toBe(400);
    expect((await redeem(h, invitation.code, 'new', 'carol chose this one')).status).toBe(200);
    const carol = await sessionHeaders(h, 'carol@example.com', 'carol chose this one');
    expect((await call(h.app, 'GET', '/v1/me', null, undefined, carol)).body.scopes).toEqual(
      (await call(h.app, 'GET', '/v1/roles', h.adminToken)).body.data.find(
        (r: { name: string }) => r.name === 'accounting',
      ).scopes,
    );
  });

  test('pending invitations are listed and revoked; expired and foreign ones are not usable', async () => {
    const reader = await roleId(h, h.adminToken, 'accounting');
    const first = await invite(h, h.adminToken, 'dave@example.com', reader);
    const second = await invite(h, h.adminToken, 'dave@example.com', reader);
    const list = await call(h.app, 'GET', '/v1/invitations', h.adminToken);
    const ids = list.body.data.map((i: { id: string }) => i.id);
    expect(ids).toContain(second.id);
    expect(ids).not.toContain(first.id); // replaced by the newer one
    expect((await redeem(h, first.code, 'new', 'dave chose a password')).body.code).toBe(
      'INVITATION_INVALID',
    );
    expect(list.raw).not.toContain(second.code);
    // Another project sees none of them and cannot revoke them.
    const theirs = (await call(h.app, 'GET', '/v1/invitations', bobToken)).body.data;
    expect(theirs.map((i: { email: string }) => i.email)).not.toContain('dave@example.com');
    expect((await call(h.app, 'DELETE', `/v1/invitations/${second.id}`, bobToken)).status).toBe(404);
    expect((await call(h.app, 'DELETE', `/v1/invitations/${second.id}`, h.adminToken)).status).toBe(204);
    expect((await call(h.app, 'DELETE', `/v1/invitations/${second.id}`, h.adminToken)).status).toBe(404);
    expect((await redeem(h, second.code, 'new', 'dave chose a password')).body.code).toBe(
      'INVITATION_INVALID',
    );

    const expiring = await call(h.app, 'POST', '/v1/invitations', h.adminToken, {
      email: 'erin@example.com',
      role_id: reader,
      expires_in_seconds: 600,
    });
    clock += 600_000;
    expect((await redeem(h, expiring.body.code, 'new', 'erin chose a password')).body.code).toBe(
      'INVITATION_INVALID',
    );
    const pending = await call(h.app, 'GET', '/v1/invitations', h.adminToken);
    expect(pending.body.data.map((i: { id: string }) => i.id)).not.toContain(expiring.body.id);
  });

  test('inviting needs members:write and a role within the caller; members cannot be invited twice', async () => {
    const owner = await roleId(h, h.adminToken, 'owner');
    const reader = await roleId(h, h.adminToken, 'accounting');
    const { token: narrow } = await tokenWithScopes(h, ['members:write', 'usage:read']);
    const { token: readOnly } = await tokenWithScopes(h, ['members:read']);
    const wide = await call(h.app, 'POST', '/v1/invitations', narrow, {
      email: 'f@example.com',
      role_id: owner,
    });
    expect(wide.body.code).toBe('SCOPE_ESCALATION');
    const noRight = await call(h.app, 'POST', '/v1/invitations', readOnly, {
      email: 'f@example.com',
      role_id: reader,
    });
    expect(noRight.status).toBe(403);
    const again = await call(h.app, 'POST', '/v1/invitations', h.adminToken, {
      email: 'carol@example.com',
      role_id: reader,
    });
    expect(again.status).toBe(409);
  });

  test('instance administrators still add accounts directly, but never replace a password', async () => {
    const reader = await roleId(h, h.adminToken, 'accounting');
    const added = await call(h.app, 'POST', '/v1/members', h.adminToken, {
      email: 'grace@example.com',
      role_id: reader,
      password: 'grace has a password',
    });
    expect(added.status).toBe(201);
    const existing = await call(h.app, 'POST', '/v1/members', h.adminToken, {
      email: 'bob@b.test',
      role_id: reader,
      password: 'a password for bob',
    });
    expect(existing.status).toBe(409);
    expect((await sessionHeaders(h, 'bob@b.test', BOB_PASSWORD)).cookie).toMatch(/^kw_session=/);
  });

  test('removing a member stops their tokens at once (cache included); re-adding revives none', async () => {
    const owner = await roleId(h, h.adminToken, 'owner');
    const userId = await inviteNewMember(h, h.adminToken, 'heidi@example.com', owner, 'heidi password 1');
    const heidi = await sessionHeaders(h, 'heidi@example.com', 'heidi password 1');
    const token = (await call(h.app, 'POST', '/v1/tokens', null, { name: 'h', scopes: ['data:read'] }, heidi))
      .body.token as string;
    const authorize = () =>
      h.app.inject({ method: 'GET', url: '/v1/authorize', headers: { authorization: `Bearer ${token}` } });
    expect((await authorize()).statusCode).toBe(200);
    const before = h.storage.statementCount();
    expect((await authorize()).statusCode).toBe(200);
    expect(h.storage.statementCount()).toBe(before); // answered from the cache

    expect((await call(h.app, 'DELETE', `/v1/members/${userId}`, h.adminToken)).status).toBe(204);
    expect((await authorize()).statusCode).toBe(401);
    const { code } = await invite(h, h.adminToken, 'heidi@example.com', owner);
    expect((await redeem(h, code, 'existing', 'heidi password 1')).status).toBe(200);
    const after = await call(h.app, 'GET', '/v1/me', token);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('TOKEN_REVOKED');
    expect((await authorize()).statusCode).toBe(401);
  });
});

describe('redemption attempts are throttled per address', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { failedAuthRateLimits: '3/60' } });
  });
  afterAll(() => h.close());

  test('unknown codes count as failed authentications, then the address gets 429', async () => {
    const guess = `kwinv_${'A'.repeat(43)}`;
    const statuses: number[] = [];
    for (let n = 0; n < 4; n++) {
      statuses.push((await call(h.app, 'POST', '/v1/invitations/lookup', null, { code: guess })).status);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
    expect((await redeem(h, guess, 'new', 'a long enough password')).status).toBe(429);
  });
});
