import type { ProjectId, TokenId } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Harness, otherProjectToken, startHarness, tokenWithScopes } from './harness.ts';

const HOUR = 3_600_000;

/**
 * Usage without a write per request: counted in memory, written in one batch per flush. The
 * statement counter proves the verify path of a cached token issues no SQL between flushes.
 */
describe.each(['sqlite', 'postgres'] as const)('usage counting and last used (%s)', (database) => {
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
        trustedProxies: '127.0.0.1',
      },
    });
  });
  afterAll(async () => h.close());

  const authorize = async (token: string, ip = '198.51.100.1') =>
    (
      await h.app.inject({
        method: 'GET',
        url: '/v1/authorize',
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': ip },
      })
    ).statusCode;
  const stored = (id: string) => h.storage.tokens.get(h.projectId as ProjectId, id as TokenId);

  it('a burst of cached verifications issues no statement; one flush writes the right counts', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    await h.deps.usage.flush();
    expect(await authorize(token)).toBe(200);
    const before = h.storage.statementCount();
    for (let i = 0; i < 250; i++) expect(await authorize(token)).toBe(200);
    expect(h.storage.statementCount() - before).toBe(0);
    expect(h.deps.usage.stats().bufferedEntries).toBeGreaterThan(0);

    await h.deps.usage.flush();
    expect(h.storage.statementCount() - before).toBeGreaterThan(0);
    expect(h.deps.usage.stats().bufferedEntries).toBe(0);
    const series = await h.storage.tokens.usageSeries(id as TokenId, 0, Date.now() + HOUR);
    expect(series.map((p) => [p.outcome, p.count])).toEqual([['VALID', 251]]);
    const token1 = await stored(id);
    expect(token1).toMatchObject({ admittedCount: 251, refusedCount: 0 });
    expect(token1?.lastUsedAt).toBeGreaterThan(Date.now() - 60_000);

    // Nothing buffered: a flush writes nothing.
    const idle = h.storage.statementCount();
    await h.deps.usage.flush();
    expect(h.storage.statementCount()).toBe(idle);
  });

  it('keeps the last five client addresses, newest first, across flushes', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) await authorize(token, ip);
    await h.deps.usage.flush();
    expect((await stored(id))?.lastUsedIps).toEqual(['10.0.0.3', '10.0.0.2', '10.0.0.1']);
    for (const ip of ['10.0.0.4', '10.0.0.1', '10.0.0.5', '10.0.0.6']) await authorize(token, ip);
    await h.deps.usage.flush();
    expect((await stored(id))?.lastUsedIps).toEqual([
      '10.0.0.6',
      '10.0.0.5',
      '10.0.0.1',
      '10.0.0.4',
      '10.0.0.3',
    ]);
  });

  it('counts refused attempts of a known token by outcome, without stamping last used', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    expect(await authorize(token, '10.1.1.1')).toBe(200);
    await h.deps.usage.flush();
    const usedAt = (await stored(id))?.lastUsedAt;
    await call(h.app, 'POST', `/v1/tokens/${id}/revoke`, h.adminToken, {});
    expect(await authorize(token, '10.9.9.9')).toBe(401);
    expect(await authorize(token, '10.9.9.9')).toBe(401);
    await h.deps.usage.flush();
    const after = await stored(id);
    expect(after?.lastUsedAt).toBe(usedAt);
    expect(after?.lastUsedIps).toEqual(['10.1.1.1']);
    const series = await h.storage.tokens.usageSeries(id as TokenId, 0, Date.now() + HOUR);
    expect(Object.fromEntries(series.map((p) => [p.outcome, p.count]))).toEqual({ VALID: 1, REVOKED: 2 });
  });

  it('counts a missing scope and the API routes too (one decision, every door)', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    const denied = await h.app.inject({
      method: 'GET',
      url: '/v1/authorize',
      headers: { authorization: `Bearer ${token}`, 'x-keyward-required-scopes': 'data:write' },
    });
    expect(denied.statusCode).toBe(403);
    expect((await call(h.app, 'GET', '/v1/me', token)).status).toBe(200);
    await h.deps.usage.flush();
    const series = await h.storage.tokens.usageSeries(id as TokenId, 0, Date.now() + HOUR);
    expect(Object.fromEntries(series.map((p) => [p.outcome, p.count]))).toEqual({
      INSUFFICIENT_SCOPE: 1,
      VALID: 1,
    });
  });

  it('GET /v1/tokens/{id}/usage returns series by outcome, by hour or day, own project only', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    for (let i = 0; i < 3; i++) await authorize(token);
    await h.deps.usage.flush();
    const reader = (await tokenWithScopes(h, ['tokens:read'])).token;
    const hourly = await call(h.app, 'GET', `/v1/tokens/${id}/usage`, reader);
    expect(hourly.status).toBe(200);
    expect(hourly.body).toMatchObject({
      token_id: id,
      granularity: 'hour',
      series: [{ outcome: 'VALID', total: 3 }],
    });
    const bucket = hourly.body.series[0].points[0].start as string;
    expect(Date.parse(bucket) % HOUR).toBe(0);

    const from = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const daily = await call(h.app, 'GET', `/v1/tokens/${id}/usage?granularity=day&from=${from}`, reader);
    expect(daily.status).toBe(200);
    expect(daily.body.series).toEqual([
      {
        outcome: 'VALID',
        total: 3,
        points: [{ start: expect.stringMatching(/T00:00:00\.000Z$/), count: 3 }],
      },
    ]);

    const outsider = await otherProjectToken(h, ['tokens:read']);
    expect((await call(h.app, 'GET', `/v1/tokens/${id}/usage`, outsider)).status).toBe(404);
    const noScope = (await tokenWithScopes(h, ['data:read'])).token;
    expect((await call(h.app, 'GET', `/v1/tokens/${id}/usage`, noScope)).status).toBe(403);
    expect((await call(h.app, 'GET', `/v1/tokens/${id}/usage?granularity=week`, reader)).status).toBe(400);
  });
});

describe('usage flush on shutdown', () => {
  it('closing the app writes what is still buffered', async () => {
    const h = await startHarness({ config: { usageFlushIntervalSeconds: 3600 } });
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    for (let i = 0; i < 5; i++) expect((await call(h.app, 'GET', '/v1/me', token)).status).toBe(200);
    await h.app.close();
    const stored = await h.storage.tokens.get(h.projectId as ProjectId, id as TokenId);
    expect(stored?.admittedCount).toBe(5);
    await h.close();
  });
});
