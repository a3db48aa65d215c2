import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Harness, otherProjectToken, startHarness, tokenWithScopes } from './harness.ts';

const HOUR = 3_600_000;

/** The project overview's numbers: every token's requests by outcome, and the busiest tokens. */
describe.each(['sqlite', 'postgres'] as const)('GET /v1/projects/{id}/usage (%s)', (database) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      database,
      config: {
        usageFlushIntervalSeconds: 3600,
        failedAuthRateLimits: 'none',
        defaultTokenRateLimits: 'none',
      },
    });
  });
  afterAll(async () => h.close());

  const authorize = async (token: string) =>
    (
      await h.app.inject({
        method: 'GET',
        url: '/v1/authorize',
        headers: { authorization: `Bearer ${token}` },
      })
    ).statusCode;

  it('sums outcomes over the tokens of the project by hour and lists the busiest first', async () => {
    const busy = await tokenWithScopes(h, ['data:read'], 'busy exporter');
    const quiet = await tokenWithScopes(h, ['data:read'], 'quiet job');
    await tokenWithScopes(h, ['data:read'], 'never used');
    for (let i = 0; i < 5; i++) expect(await authorize(busy.token)).toBe(200);
    expect(await authorize(quiet.token)).toBe(200);
    await call(h.app, 'POST', `/v1/tokens/${quiet.id}/revoke`, h.adminToken, {});
    for (let i = 0; i < 3; i++) expect(await authorize(quiet.token)).toBe(401);
    await h.deps.usage.flush();

    const reader = (await tokenWithScopes(h, ['tokens:read'])).token;
    const res = await call(h.app, 'GET', `/v1/projects/${h.projectId}/usage`, reader);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ project_id: h.projectId, granularity: 'hour' });
    expect(Date.parse(res.body.to) - Date.parse(res.body.from)).toBe(24 * HOUR);
    // The admin token's own calls (creating, revoking) are uses too: VALID sums every token.
    type Busy = { token_id: string; total: number; admitted: number; refused: number };
    const busiest = res.body.busiest_tokens as Busy[];
    const totals = Object.fromEntries(
      (res.body.series as { outcome: string; total: number }[]).map((s) => [s.outcome, s.total]),
    );
    expect(totals).toEqual({ VALID: busiest.reduce((n, b) => n + b.admitted, 0), REVOKED: 3 });
    expect(busiest.find((b) => b.token_id === busy.id)).toEqual({
      token_id: busy.id,
      name: 'busy exporter',
      kind: 'standard',
      total: 5,
      admitted: 5,
      refused: 0,
    });
    expect(busiest.find((b) => b.token_id === quiet.id)).toMatchObject({ total: 4, admitted: 1, refused: 3 });
    expect(busiest.map((b) => b.total)).toEqual(busiest.map((b) => b.total).sort((a, b) => b - a));
    expect(busiest.findIndex((b) => b.token_id === busy.id)).toBeLessThan(
      busiest.findIndex((b) => b.token_id === quiet.id),
    );
    const hour = Math.floor(Date.now() / HOUR) * HOUR;
    const valid = res.body.series.find((s: { outcome: string }) => s.outcome === 'VALID');
    expect(valid.points).toEqual([{ start: new Date(hour).toISOString(), count: totals.VALID }]);

    const daily = await call(h.app, 'GET', `/v1/projects/${h.projectId}/usage?granularity=day`, reader);
    expect(daily.status).toBe(200);
    expect(daily.body.series.find((s: { outcome: string }) => s.outcome === 'REVOKED')).toEqual({
      outcome: 'REVOKED',
      total: 3,
      points: [{ start: expect.stringMatching(/T00:00:00\.000Z$/), count: 3 }],
    });
  });

  it('is refused without tokens:read, hidden from other projects, and checks its window', async () => {
    const noScope = (await tokenWithScopes(h, ['data:read'])).token;
    const url = `/v1/projects/${h.projectId}/usage`;
    expect((await call(h.app, 'GET', url, noScope)).status).toBe(403);
    expect((await call(h.app, 'GET', url, null)).status).toBe(401);
    const outsider = await otherProjectToken(h, ['tokens:read']);
    expect((await call(h.app, 'GET', url, outsider)).status).toBe(404);
    const reader = (await tokenWithScopes(h, ['tokens:read'])).token;
    expect((await call(h.app, 'GET', `${url}?granularity=week`, reader)).status).toBe(400);
    const late = new Date(Date.now() - 86_400_000).toISOString();
    const early = new Date(Date.now() - 2 * 86_400_000).toISOString();
    expect((await call(h.app, 'GET', `${url}?from=${late}&to=${early}`, reader)).status).toBe(400);
  });
});
