import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, startHarness } from './harness.ts';

const FLOOD = 60;
const WINDOW_SECONDS = 60;

describe.each(['sqlite', 'postgres'] as const)('refusals cost nothing (%s)', (database) => {
  let h: Harness;
  let base: string;
  let clock = Date.parse('2026-03-01T00:00:00Z');
  beforeAll(async () => {
    h = await startHarness({
      database,
      now: () => clock,
      config: { errorWindowSeconds: WINDOW_SECONDS, failedAuthRateLimits: 'none' },
    });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => h.close());

  async function token(scopes: string[], extra: Record<string, unknown> = {}) {
    const res = await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: 'flood', scopes, ...extra });
    expect(res.status, res.raw).toBe(201);
    return res.body.token as string;
  }

  /** `n` gateway checks at once over a real socket (the fast path answers them). */
  async function flood(n: number, secret: string, scopes: string) {
    const headers = { authorization: `Bearer ${secret}`, 'x-keyward-required-scopes': scopes };
    return Promise.all(
      Array.from({ length: n }, async () => {
        const res = await fetch(`${base}/v1/authorize`, { headers });
        const body = res.status === 200 ? null : await res.json();
        return {
          status: res.status,
          header: res.headers.get('x-keyward-error-id'),
          headers: res.headers,
          body,
        };
      }),
    );
  }

  /** Records stored so far: the door answers before its record is written, a flush waits for it. */
  async function stored() {
    await h.deps.errorRecords.flush();
    return h.storage.errors.count();
  }

  async function lookup(id: string, secret: string) {
    await h.deps.errorRecords.flush();
    return call(h.app, 'GET', `/v1/errors/${id}`, secret);
  }

  test('a 403 flood at the gateway door is one error record with a count, readable by the refused token', async () => {
    const secret = await token(['api:read']);
    const before = await stored();
    const answers = await flood(FLOOD, secret, 'api:write');
    expect(answers.every((a) => a.status === 403)).toBe(true);
    const ids = new Set(answers.flatMap((a) => [a.header, a.body.error_id]));
    expect(ids.size).toBe(1);
    expect(answers[0]?.body).toMatchObject({ code: 'INSUFFICIENT_SCOPE', missing_scopes: ['api:write'] });
    expect(answers[0]?.headers.get('content-type')).toBe('application/problem+json');
    expect(answers[0]?.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(new Set(answers.map((a) => a.body.request_id)).size).toBe(FLOOD);
    expect(await stored()).toBe(before + 1);
    const record = await lookup([...ids][0] as string, secret);
    expect(record.status, record.raw).toBe(200);
    expect(record.body).toMatchObject({ code: 'INSUFFICIENT_SCOPE', count: FLOOD, path: '/v1/authorize' });
  });

  test('a 429 flood is one record; the next window opens a new one', async () => {
    const secret = await token(['api:read'], { rate_limits: [{ limit: 1, window_seconds: 86_400 }] });
    expect((await flood(1, secret, 'api:read'))[0]?.status).toBe(200);
    const before = await stored();
    const early = await flood(FLOOD / 2, secret, 'api:read');
    // Later in the same window (the limiter keeps real time): a shorter Retry-After, the same refusal.
    clock += 5_000;
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const first = [...early, ...(await flood(FLOOD / 2, secret, 'api:read'))];
    expect(first.every((a) => a.status === 429 && a.body.code === 'RATE_LIMITED')).toBe(true);
    const retryAfter = first.map((a) => Number(a.headers.get('retry-after')));
    expect(retryAfter.every((s, i) => s > 0 && s === first[i]?.body.retry_after)).toBe(true);
    expect(new Set(retryAfter).size).toBe(2);
    expect(first[0]?.headers.get('ratelimit')).toMatch(/;r=0;/);
    const ids = new Set(first.map((a) => a.body.error_id));
    expect(ids.size).toBe(1);
    clock += WINDOW_SECONDS * 1000 - 5_000;
    const later = await flood(5, secret, 'api:read');
    const laterIds = new Set(later.map((a) => a.body.error_id));
    expect(laterIds.size).toBe(1);
    expect([...laterIds][0]).not.toBe([...ids][0]);
    expect(await stored()).toBe(before + 2);
    await h.deps.errorRecords.flush();
    expect((await h.storage.errors.get([...ids][0]))?.count).toBe(FLOOD);
    expect((await h.storage.errors.get([...laterIds][0]))?.count).toBe(5);
  });

  test('different tokens, codes or details never share a record', async () => {
    const a = await token(['api:read']);
    const b = await token(['api:read']);
    const [ra] = await flood(1, a, 'api:write');
    const [rb] = await flood(1, b, 'api:write');
    const [rc] = await flood(1, a, 'api:delete');
    const ids = [ra, rb, rc].map((r) => r?.body.error_id);
    expect(new Set(ids).size).toBe(3);
    expect((await lookup(ids[1], b)).status).toBe(200);
    expect((await lookup(ids[0], b)).status).toBe(404);
  });

  test('unauthenticated junk writes no record per request and is counted in /metrics', async () => {
    const before = await stored();
    const junk = await Promise.all(
      Array.from({ length: FLOOD }, (_, i) => fetch(`${base}/junk/${i}/${'x'.repeat(i * 50)}`)),
    );
    const anonymous = await Promise.all(Array.from({ length: FLOOD }, () => fetch(`${base}/v1/me`)));
    const bodies = await Promise.all([...junk, ...anonymous].map((r) => r.json()));
    expect(bodies.every((b) => typeof b.error_id === 'string')).toBe(true);
    expect(new Set(bodies.slice(0, FLOOD).map((b) => b.error_id)).size).toBe(1);
    expect(new Set(bodies.slice(FLOOD).map((b) => b.error_id)).size).toBe(1);
    expect(await stored()).toBe(before + 2);
    const metrics = (await call(h.app, 'GET', '/metrics', null)).raw;
    const counted = (code: string) =>
      Number(
        new RegExp(`keyward_unauthenticated_errors_total\\{code="${code}"\\} (\\d+)`).exec(metrics)?.[1],
      );
    expect(counted('ROUTE_NOT_FOUND')).toBeGreaterThanOrEqual(FLOOD);
    expect(counted('UNAUTHENTICATED')).toBeGreaterThanOrEqual(FLOOD);
  });
});
