import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Harness, startHarness, tokenWithScopes } from './harness.ts';

/** Prometheus metrics: counts by door and outcome, cache, usage buffer; protected; never an identifier. */
describe('GET /metrics', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ config: { usageFlushIntervalSeconds: 3600, failedAuthRateLimits: 'none' } });
  });
  afterAll(async () => h.close());

  const scrape = (headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'GET', url: '/metrics', headers });

  it('counts verifications by door and outcome, cache hits and the usage buffer; no token, hash or id', async () => {
    const { token, id } = await tokenWithScopes(h, ['data:read']);
    const auth = { authorization: `Bearer ${token}` };
    for (let i = 0; i < 3; i++) await h.app.inject({ method: 'GET', url: '/v1/authorize', headers: auth });
    await h.app.inject({
      method: 'GET',
      url: '/v1/authorize',
      headers: { authorization: 'Bearer kw_nonsense' },
    });
    await call(h.app, 'GET', '/v1/me', token);

    const res = await scrape();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toContain('keyward_verifications_total{door="authorize",outcome="VALID"} 3');
    expect(text).toContain('keyward_verifications_total{door="authorize",outcome="MALFORMED"} 1');
    expect(text).toMatch(/keyward_verifications_total\{door="api",outcome="VALID"\} [1-9]/);
    expect(text).toMatch(/keyward_verify_cache_total\{result="hit"\} [1-9]/);
    expect(text).toMatch(/keyward_verify_cache_total\{result="miss"\} [1-9]/);
    expect(text).toMatch(/keyward_verification_duration_seconds_count\{door="authorize"\} 4/);
    expect(text).toMatch(/keyward_usage_buffer_entries [1-9]/);
    expect(text).toContain('keyward_rate_limiter_mode{mode="memory"} 1');
    expect(text).toMatch(/keyward_usage_flush_lag_seconds \d/);

    const pepper = h.deps.peppers.current.key;
    const hash = createHmac('sha256', pepper).update(token).digest('hex');
    for (const secret of [token, token.slice(-12), hash, id, h.projectId, h.userId])
      expect(text).not.toContain(secret);
    expect(text).not.toMatch(/(tok|prj|usr|sa|err)_[0-9a-z]{26}/);
  });

  it('without KEYWARD_METRICS_TOKEN: loopback only, and not through a proxy', async () => {
    const proxied = await scrape({ 'x-forwarded-for': '203.0.113.9' });
    expect(proxied.statusCode).toBe(403);
    expect(proxied.headers['content-type']).toContain('application/problem+json');
    const remote = await h.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '192.0.2.4' });
    expect(remote.statusCode).toBe(403);
  });
});

describe('GET /metrics with KEYWARD_METRICS_TOKEN', () => {
  it('demands the bearer token from everyone', async () => {
    const metricsToken = 'metrics-secret-0123456789';
    const h = await startHarness({ config: { metricsToken } });
    try {
      const get = (headers: Record<string, string>) =>
        h.app.inject({ method: 'GET', url: '/metrics', headers, remoteAddress: '192.0.2.4' });
      expect((await get({})).statusCode).toBe(401);
      expect((await get({ authorization: 'Bearer wrong-token-0123456789' })).statusCode).toBe(401);
      const ok = await get({ authorization: `Bearer ${metricsToken}` });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('keyward_verifications_total');
    } finally {
      await h.close();
    }
  });
});
