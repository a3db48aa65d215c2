import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, startHarness, tokenWithScopes } from './harness.ts';

describe('revoke, rotate, disable, expire', () => {
  let h: Harness;
  let clock = Date.parse('2026-11-22T10:00:00Z');
  beforeAll(async () => {
    h = await startHarness({ now: () => clock });
  });
  afterAll(() => h.close());

  const me = (token: string) => call(h.app, 'GET', '/v1/me', token);

  test('revoke: the very next request with that token is 401, with the reason recorded', async () => {
    const { token, id } = await tokenWithScopes(h, ['jobs:read']);
    expect((await me(token)).status).toBe(200);
    const revoked = await call(h.app, 'POST', `/v1/tokens/${id}/revoke`, h.adminToken, {
      reason: 'leaked in CI log',
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', revoked_reason: 'leaked in CI log' });
    const after = await me(token);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('TOKEN_REVOKED');
    expect(after.headers['www-authenticate']).toContain('error="invalid_token"');
    expect((await call(h.app, 'POST', `/v1/tokens/${id}/revoke`, h.adminToken)).status).toBe(409);
  });

  test('rotate with grace 0: old secret 401 at once, new one works with the same id and scopes', async () => {
    const { token, id } = await tokenWithScopes(h, ['jobs:read', 'jobs:write']);
    expect((await me(token)).status).toBe(200);
    const rotated = await call(h.app, 'POST', `/v1/tokens/${id}/rotate`, h.adminToken, {
      grace_period_seconds: 0,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.id).toBe(id);
    expect(rotated.body.token).not.toBe(token);
    expect((await me(token)).status).toBe(401);
    const fresh = await me(rotated.body.token);
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ token_id: id, scopes: ['jobs:read', 'jobs:write'] });
  });

  test('rotate with a grace period: both secrets work until it ends, then only the new one', async () => {
    const { token, id } = await tokenWithScopes(h, ['jobs:read']);
    const rotated = await call(h.app, 'POST', `/v1/tokens/${id}/rotate`, h.adminToken, {
      grace_period_seconds: 3600,
    });
    expect((await me(token)).status).toBe(200);
    expect((await me(rotated.body.token)).status).toBe(200);
    clock += 3_599_000;
    expect((await me(token)).status).toBe(200);
    clock += 1_000;
    const old = await me(token);
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('TOKEN_ROTATED');
    expect((await me(rotated.body.token)).status).toBe(200);
  });

  test('a revoked or expired token cannot be rotated', async () => {
    const revoked = await tokenWithScopes(h, ['jobs:read']);
    await call(h.app, 'POST', `/v1/tokens/${revoked.id}/revoke`, h.adminToken);
    const r1 = await call(h.app, 'POST', `/v1/tokens/${revoked.id}/rotate`, h.adminToken, {});
    expect(r1.status).toBe(409);
    expect(r1.body.code).toBe('TOKEN_NOT_ROTATABLE');
    const expiring = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'short',
      scopes: ['jobs:read'],
      expires_in_seconds: 600,
    });
    expect((await me(expiring.body.token)).status).toBe(200);
    clock += 600_000;
    const expired = await me(expiring.body.token);
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('TOKEN_EXPIRED');
    const r2 = await call(h.app, 'POST', `/v1/tokens/${expiring.body.id}/rotate`, h.adminToken, {});
    expect(r2.status).toBe(409);
    expect(r2.body.code).toBe('TOKEN_NOT_ROTATABLE');
  });

  test('disable and enable', async () => {
    const { token, id } = await tokenWithScopes(h, ['jobs:read']);
    expect((await call(h.app, 'POST', `/v1/tokens/${id}/disable`, h.adminToken)).body.status).toBe(
      'disabled',
    );
    expect((await me(token)).body.code).toBe('TOKEN_DISABLED');
    expect((await call(h.app, 'POST', `/v1/tokens/${id}/enable`, h.adminToken)).body.status).toBe('active');
    expect((await me(token)).status).toBe(200);
  });

  test('list pages through every token with filters', async () => {
    for (let i = 0; i < 7; i++) await tokenWithScopes(h, ['jobs:read'], `paged ${i}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof call>> = await call(
        h.app,
        'GET',
        `/v1/tokens?limit=3&search=paged${cursor ? `&cursor=${cursor}` : ''}`,
        h.adminToken,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((t: { name: string }) => t.name));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `paged ${i}`));
    const revoked = await call(h.app, 'GET', '/v1/tokens?status=revoked', h.adminToken);
    expect(revoked.body.data.length).toBeGreaterThan(0);
    expect(revoked.body.data.every((t: { status: string }) => t.status === 'revoked')).toBe(true);
  });

  test('personal API key: regenerating stops the previous key at once', async () => {
    const first = await call(h.app, 'POST', '/v1/me/api-key', h.adminToken);
    expect(first.status).toBe(201);
    const masked = await call(h.app, 'GET', '/v1/me/api-key', h.adminToken);
    expect(masked.body.key.hint).toBe(`kw_…${first.body.token.slice(-4)}`);
    expect(JSON.stringify(masked.body)).not.toContain(first.body.token);
    const second = await call(h.app, 'POST', '/v1/me/api-key', h.adminToken);
    expect((await me(first.body.token)).status).toBe(401);
    expect((await me(second.body.token)).status).toBe(200);
  });
});

describe('bulk revoke', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  test("a dry run lists an owner's live tokens and changes nothing; the real run revokes them all at once", async () => {
    const account = await call(h.app, 'POST', '/v1/service-accounts', h.adminToken, {
      name: 'ci',
      role_id: (await call(h.app, 'POST', '/v1/roles', h.adminToken, { name: 'ci', scopes: ['jobs:read'] }))
        .body.id,
    });
    const made = [];
    for (let i = 0; i < 3; i++) {
      made.push(
        (
          await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
            name: `sa ${i}`,
            scopes: ['jobs:read'],
            service_account_id: account.body.id,
          })
        ).body,
      );
    }
    const bystander = await tokenWithScopes(h, ['jobs:read']);
    for (const t of made) expect((await call(h.app, 'GET', '/v1/me', t.token)).status).toBe(200);
    const dry = await call(h.app, 'POST', '/v1/tokens/bulk-revoke', h.adminToken, {
      owner_id: account.body.id,
      dry_run: true,
    });
    expect(dry.body).toMatchObject({ dry_run: true, count: 3 });
    expect(dry.body.revoked.sort()).toEqual(made.map((t) => t.id).sort());
    for (const t of made) expect((await call(h.app, 'GET', '/v1/me', t.token)).status).toBe(200);
    const real = await call(h.app, 'POST', '/v1/tokens/bulk-revoke', h.adminToken, {
      owner_id: account.body.id,
      reason: 'incident',
    });
    expect(real.body.count).toBe(3);
    for (const t of made)
      expect((await call(h.app, 'GET', '/v1/me', t.token)).body.code).toBe('TOKEN_REVOKED');
    expect((await call(h.app, 'GET', '/v1/me', bystander.token)).status).toBe(200);
  });
});

describe('finding tokens that expire soon', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  test('expires_before with status=active lists only live tokens expiring before that time', async () => {
    const day = 86_400;
    const soon = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'soon',
      scopes: ['a:b'],
      expires_in_seconds: 3 * day,
    });
    await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'later',
      scopes: ['a:b'],
      expires_in_seconds: 30 * day,
    });
    await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: 'never', scopes: ['a:b'] });
    const gone = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'gone',
      scopes: ['a:b'],
      expires_in_seconds: day,
    });
    await call(h.app, 'POST', `/v1/tokens/${gone.body.id}/revoke`, h.adminToken);
    const before = new Date(Date.now() + 7 * day * 1000).toISOString();
    const res = await call(
      h.app,
      'GET',
      `/v1/tokens?status=active&expires_before=${encodeURIComponent(before)}`,
      h.adminToken,
    );
    expect(res.status).toBe(200);
    expect(res.body.data.map((t: { id: string }) => t.id)).toEqual([soon.body.id]);
    expect((await call(h.app, 'GET', '/v1/tokens?expires_before=yesterday', h.adminToken)).status).toBe(400);
  });
});
