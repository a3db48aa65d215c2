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

describe('GET /metrics as stock dashboards expect it', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ database: 'postgres' });
  });
  afterAll(async () => h.close());

  it("prom-client's default process and Node.js series under their standard names, counters typed as counters", async () => {
    const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_active_handles_total',
    ])
      expect(text).toMatch(new RegExp(`^${name} [0-9.e+-]+$`, 'm'));
    expect(text).toMatch(/^nodejs_version_info\{version="v20\./m);
    expect(text).toMatch(/^keyward_build_info\{version="\d+\.\d+\.\d+",node_version="v20\.[^"]+"\} 1$/m);
    // Keyward's own *_total families are counters (prom-client's nodejs_active_*_total stay gauges, as stock dashboards know them).
    const ours = [...text.matchAll(/^# TYPE (keyward_\S+_total) (\S+)$/gm)];
    expect(ours.length).toBeGreaterThanOrEqual(3);
    for (const [, family, type] of ours) expect({ family, type }).toEqual({ family, type: 'counter' });
  });

  it('the PostgreSQL pool', async () => {
    await call(h.app, 'GET', '/v1/me', (await tokenWithScopes(h, ['data:read'])).token);
    const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/^keyward_db_pool_max 10$/m);
    expect(text).toMatch(/^keyward_db_pool_open [1-9]\d*$/m);
    expect(text).toMatch(/^keyward_db_pool_idle \d+$/m);
    expect(text).toMatch(/^keyward_db_pool_waiting 0$/m);
  });

  it('requests by method, route pattern and status: the pattern, never the path sent', async () => {
    const { token } = await tokenWithScopes(h, ['tokens:read']);
    const missing = 'tok_00000000000000000000000000';
    expect((await call(h.app, 'GET', `/v1/tokens/${missing}`, token)).status).toBe(404);
    expect((await call(h.app, 'GET', '/v1/tokens', token)).status).toBe(200);
    const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(
      /^keyward_http_request_duration_seconds_count\{method="GET",route="\/v1\/tokens\/:token_id",status_code="404"\} 1$/m,
    );
    expect(text).toMatch(
      /^keyward_http_request_duration_seconds_count\{method="GET",route="\/v1\/tokens",status_code="200"\} 1$/m,
    );
    expect(text).not.toContain(missing);
  });
});
