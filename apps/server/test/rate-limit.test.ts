import { afterEach, describe, expect, it } from 'vitest';
import { call, type Harness, sessionHeaders, startHarness } from './harness.ts';
import { rateLimitFields } from './rate-limit-fields.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

type Limits = { limit: number; window_seconds: number }[];

async function limitedToken(harness: Harness, rateLimits: Limits, extra: Record<string, unknown> = {}) {
  const res = await call(harness.app, 'POST', '/v1/tokens', harness.adminToken, {
    name: 'limited',
    scopes: ['tokens:read'],
    rate_limits: rateLimits,
    ...extra,
  });
  expect(res.status, res.raw).toBe(201);
  return { token: res.body.token as string, id: res.body.id as string };
}

const me = (harness: Harness, token: string) => call(harness.app, 'GET', '/v1/me', token);

describe('RateLimit headers and the 429 answer', () => {
  it('states the policy on every answer, keeps r=0 at the limit and refuses past it with problem+json', async () => {
    h = await startHarness();
    const { token, id } = await limitedToken(h, [{ limit: 3, window_seconds: 3600 }]);

    for (const expected of [2, 1, 0]) {
      const res = await me(h, token);
      expect(res.status).toBe(200);
      const [window, ...others] = rateLimitFields(res.headers);
      expect(others).toEqual([]);
      expect(window).toMatchObject({ name: 'token-3600s', quota: 3, window: 3600, remaining: expected });
      expect(window?.reset).toBeGreaterThan(0);
      expect(window?.reset).toBeLessThanOrEqual(3600);
      expect(res.headers['retry-after']).toBeUndefined();
    }

    const refused = await me(h, token);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      error_id: expect.stringMatching(/^err_/),
      instance: `/v1/errors/${refused.body.error_id}`,
    });
    const retryAfter = refused.body.retry_after as number;
    expect(Number.isInteger(retryAfter)).toBe(true);
    // 3 per hour: the window began with the first request and ends an hour later.
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(refused.headers['retry-after']).toBe(String(retryAfter));
    // The fields set by the guard survive the error handler.
    const [window] = rateLimitFields(refused.headers);
    expect(window).toMatchObject({ name: 'token-3600s', quota: 3, window: 3600, remaining: 0 });
    expect(refused.headers['www-authenticate']).toBeUndefined();

    // The caller's error id can be looked up (here by a project admin: the token itself is out of quota).
    const record = await call(h.app, 'GET', `/v1/errors/${refused.body.error_id}`, h.adminToken);
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({ code: 'RATE_LIMITED', status: 429, token_id: id });
    expect(record.body.context).toMatchObject({ retry_after: retryAfter, policy: 'token-3600s' });
  });

  it('lists every window, the most restrictive first', async () => {
    h = await startHarness();
    const { token } = await limitedToken(h, [
      { limit: 1000, window_seconds: 86_400 },
      { limit: 2, window_seconds: 60 },
    ]);
    const first = rateLimitFields((await me(h, token)).headers);
    expect(first.map((w) => [w.name, w.quota, w.window, w.remaining])).toEqual([
      ['token-60s', 2, 60, 1],
      ['token-86400s', 1000, 86_400, 999],
    ]);
    await me(h, token);
    const refused = await me(h, token);
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toContain('2 requests per 60 s');
    // A refused request consumes nothing: the day window still shows 998 left.
    expect(rateLimitFields(refused.headers).map((w) => [w.name, w.remaining])).toEqual([
      ['token-60s', 0],
      ['token-86400s', 998],
    ]);
  });

  it('uses the configured default for tokens without their own limits', async () => {
    h = await startHarness({ config: { defaultTokenRateLimits: '50/60,1000/3600' } });
    const { token } = await limitedToken(h, []);
    const res = await me(h, token);
    expect(res.status).toBe(200);
    expect(rateLimitFields(res.headers).map((w) => [w.name, w.quota, w.remaining])).toEqual([
      ['token-60s', 50, 49],
      ['token-3600s', 1000, 999],
    ]);
  });
});

describe('GET /v1/me rate_limits', () => {
  it('shows the token, owner and project policies and the effective window after this request', async () => {
    h = await startHarness();
    const { token } = await limitedToken(h, [
      { limit: 5, window_seconds: 60 },
      { limit: 100, window_seconds: 3600 },
    ]);
    const first = await me(h, token);
    expect(first.status).toBe(200);
    expect(first.body.rate_limits).toEqual({
      token: [
        { limit: 5, window_seconds: 60 },
        { limit: 100, window_seconds: 3600 },
      ],
      owner: [],
      project: [],
      effective: { policy: 'token-60s', limit: 5, window_seconds: 60, remaining: 4, reset_seconds: 60 },
    });
    const second = await me(h, token);
    expect(second.body.rate_limits.effective).toMatchObject({ policy: 'token-60s', remaining: 3 });

    const project = await call(h.app, 'PATCH', `/v1/projects/${h.projectId}`, h.adminToken, {
      rate_limits: [{ limit: 10_000, window_seconds: 86_400 }],
    });
    expect(project.status, project.raw).toBe(200);
    const third = await me(h, token);
    expect(third.body.rate_limits.project).toEqual([{ limit: 10_000, window_seconds: 86_400 }]);
    expect(third.body.rate_limits.effective).toMatchObject({ policy: 'token-60s', remaining: 2 });
  });

  it('shows the default for a token without limits, and for a console session (limited like a token)', async () => {
    h = await startHarness();
    const { token } = await limitedToken(h, []);
    const res = await me(h, token);
    expect(res.body.rate_limits).toMatchObject({
      token: [{ limit: 6000, window_seconds: 60 }],
      effective: { policy: 'token-60s', limit: 6000, remaining: 5999 },
    });

    const session = await call(h.app, 'GET', '/v1/me', null, undefined, await sessionHeaders(h));
    expect(session.status).toBe(200);
    expect(session.body.rate_limits).toMatchObject({
      token: [{ limit: 6000, window_seconds: 60 }],
      effective: { policy: 'token-60s', limit: 6000, remaining: 5999 },
    });
    expect(rateLimitFields(session.headers)[0]).toMatchObject({ name: 'token-60s', remaining: 5999 });
  });
});

describe('a changed limit applies to the very next request', () => {
  it('PATCH /v1/tokens/{id} rate_limits (raised, then lowered)', async () => {
    h = await startHarness();
    const { token, id } = await limitedToken(h, [{ limit: 2, window_seconds: 3600 }]);
    expect((await me(h, token)).status).toBe(200);
    expect((await me(h, token)).status).toBe(200);
    expect((await me(h, token)).status).toBe(429);

    const raised = await call(h.app, 'PATCH', `/v1/tokens/${id}`, h.adminToken, {
      rate_limits: [{ limit: 5, window_seconds: 3600 }],
    });
    expect(raised.status, raised.raw).toBe(200);
    expect(raised.body.rate_limits).toEqual([{ limit: 5, window_seconds: 3600 }]);
    const next = await me(h, token);
    expect(next.status).toBe(200);
    expect(rateLimitFields(next.headers)[0]).toMatchObject({ name: 'token-3600s', quota: 5, remaining: 4 });

    const lowered = await call(h.app, 'PATCH', `/v1/tokens/${id}`, h.adminToken, {
      rate_limits: [{ limit: 1, window_seconds: 86_400 }],
    });
    expect(lowered.status).toBe(200);
    const once = await me(h, token);
    expect(rateLimitFields(once.headers)[0]).toMatchObject({ name: 'token-86400s', quota: 1, remaining: 0 });
    expect(once.status).toBe(200);
    expect((await me(h, token)).status).toBe(429);
  });

  it('PATCH /v1/projects/{id} rate_limits: every cached token of the project', async () => {
    h = await startHarness();
    const { token } = await limitedToken(h, []);
    expect(rateLimitFields((await me(h, token)).headers).map((w) => w.name)).toEqual(['token-60s']);

    const res = await call(h.app, 'PATCH', `/v1/projects/${h.projectId}`, h.adminToken, {
      rate_limits: [{ limit: 3, window_seconds: 86_400 }],
    });
    expect(res.status, res.raw).toBe(200);
    // The project window is shared: the token and the admin token draw on the same 3.
    const first = await me(h, token);
    expect(first.status).toBe(200);
    expect(rateLimitFields(first.headers)[0]).toMatchObject({
      name: 'project-86400s',
      quota: 3,
      remaining: 2,
    });
    expect((await me(h, h.adminToken)).status).toBe(200);
    expect((await me(h, token)).status).toBe(200);
    const refused = await me(h, h.adminToken);
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toContain('3 requests per 86400 s');
  });

  it('PATCH /v1/service-accounts/{id} rate_limits: shared by all its tokens', async () => {
    h = await startHarness();
    const roles = await call(h.app, 'GET', '/v1/roles', h.adminToken);
    const roleId = (roles.body.data as { id: string; name: string }[]).find(
      (r) => r.name === 'accounting',
    )?.id;
    const account = await call(h.app, 'POST', '/v1/service-accounts', h.adminToken, {
      name: 'ci',
      role_id: roleId,
    });
    expect(account.status, account.raw).toBe(201);
    const a = await limitedToken(h, [], { scopes: [], service_account_id: account.body.id });
    const b = await limitedToken(h, [], { scopes: [], service_account_id: account.body.id });
    expect((await me(h, a.token)).body.rate_limits.owner).toEqual([]);
    expect((await me(h, b.token)).status).toBe(200);

    const patched = await call(h.app, 'PATCH', `/v1/service-accounts/${account.body.id}`, h.adminToken, {
      rate_limits: [{ limit: 2, window_seconds: 86_400 }],
    });
    expect(patched.status, patched.raw).toBe(200);
    const first = await me(h, a.token);
    expect(first.status).toBe(200);
    expect(first.body.rate_limits.owner).toEqual([{ limit: 2, window_seconds: 86_400 }]);
    expect(rateLimitFields(first.headers)[0]).toMatchObject({ name: 'owner-86400s', remaining: 1 });
    expect((await me(h, b.token)).status).toBe(200);
    const refused = await me(h, a.token);
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toContain('2 requests per 86400 s');
    expect((await me(h, b.token)).status).toBe(429);
  });

  it('PATCH /v1/users/{id} rate_limits (instance admin): shared by all the user’s tokens', async () => {
    h = await startHarness();
    const other = await limitedToken(h, []); // also the admin's, so the same owner
    expect((await me(h, other.token)).body.rate_limits.owner).toEqual([]);

    const invalid = await call(h.app, 'PATCH', `/v1/users/${h.userId}`, h.adminToken, {
      rate_limits: [{ limit: 0, window_seconds: 60 }],
    });
    expect(invalid.status).toBe(400);
    const patched = await call(h.app, 'PATCH', `/v1/users/${h.userId}`, h.adminToken, {
      rate_limits: [{ limit: 3, window_seconds: 86_400 }],
    });
    expect(patched.status, patched.raw).toBe(200);
    expect(patched.body.rate_limits).toEqual([{ limit: 3, window_seconds: 86_400 }]);

    const first = await me(h, other.token);
    expect(first.body.rate_limits.owner).toEqual([{ limit: 3, window_seconds: 86_400 }]);
    expect(rateLimitFields(first.headers)[0]).toMatchObject({ name: 'owner-86400s', quota: 3, remaining: 2 });
    expect((await me(h, h.adminToken)).status).toBe(200);
    expect((await me(h, other.token)).status).toBe(200);
    expect((await me(h, h.adminToken)).status).toBe(429);
    expect((await me(h, other.token)).status).toBe(429);

    const audit = await call(h.app, 'GET', '/v1/audit', null, undefined, await sessionHeaders(h));
    const event = (audit.body.data as { action: string; changes: Record<string, unknown> }[]).find(
      (e) => e.action === 'user.updated',
    );
    expect(event?.changes).toHaveProperty('rateLimits');
  });

  it('a user PATCH needs instance administration', async () => {
    h = await startHarness();
    const { token } = await limitedToken(h, [], { scopes: ['tokens:read', 'tokens:write'] });
    const res = await call(h.app, 'PATCH', `/v1/users/${h.userId}`, token, {
      rate_limits: [{ limit: 1, window_seconds: 60 }],
    });
    expect(res.status).toBe(403);
  });
});
