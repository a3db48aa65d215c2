import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { call, type Harness, startHarness } from './harness.ts';
import { rateLimitFields } from './rate-limit-fields.ts';
import { concurrentAgent, countStatuses, httpGet } from './rate-limit-http.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/**
 * 100 per minute. The window begins with the first request and admits 100 until it ends 60 s later
 * (ADR 0005), so exactly 100 is the only correct answer however long the run takes under a minute,
 * and a racy limiter (two checks reading the same state) fails it.
 */
const POLICY = [{ limit: 100, window_seconds: 60 }];

describe('one node is exact', () => {
  it('admits exactly 100 of 1,000 concurrent requests against a 100/minute token limit', async () => {
    h = await startHarness();
    const created = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'burst',
      scopes: ['tokens:read'],
      rate_limits: POLICY,
    });
    expect(created.status, created.raw).toBe(201);
    const token = created.body.token as string;

    await h.app.listen({ host: '127.0.0.1', port: 0, backlog: 2048 });
    const { port } = h.app.server.address() as AddressInfo;
    const agent = concurrentAgent(1000);
    try {
      const answers = await Promise.all(
        Array.from({ length: 1000 }, () => httpGet(`http://127.0.0.1:${port}/v1/me`, token, agent)),
      );
      expect(countStatuses(answers)).toEqual({ 200: 100, 429: 900 });

      // Every answer states the limit; the admitted ones count down 99 … 0 without a repeat.
      const remaining = answers
        .filter((a) => a.status === 200)
        .map((a) => rateLimitFields(a.headers).find((w) => w.name === 'token-60s')?.remaining)
        .sort((a, b) => (a ?? -1) - (b ?? -1));
      expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => i));
      for (const refused of answers.filter((a) => a.status === 429)) {
        expect(JSON.parse(refused.body).code).toBe('RATE_LIMITED');
        // Retry-After is the end of the window, which the RateLimit field states too.
        const [window, ...others] = rateLimitFields(refused.headers);
        expect(others).toEqual([]);
        expect(window).toMatchObject({ name: 'token-60s', quota: 100, window: 60, remaining: 0 });
        expect(Number(refused.headers['retry-after'])).toBe(window?.reset);
        expect(window?.reset).toBeGreaterThanOrEqual(1);
        expect(window?.reset).toBeLessThanOrEqual(60);
      }
    } finally {
      agent.destroy();
    }
  });
});
