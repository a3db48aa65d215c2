import { randomBytes } from 'node:crypto';
import { newId } from '@keyward/core';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/services/bootstrap.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, call, type Harness, startHarness } from './harness.ts';

const VICTIM = 'victim@example.com';
const VICTIM_PASSWORD = 'the victim password';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function login(harness: Harness, email: string, password: string, remoteAddress = '198.51.100.1') {
  const res = await harness.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    remoteAddress,
    payload: { email, password },
  });
  return { status: res.statusCode, headers: res.headers, body: res.json() };
}

async function addUser(harness: Harness, email: string, password: string) {
  const now = harness.deps.now();
  await harness.storage.users.create({
    id: newId('user', now),
    email,
    name: email,
    passwordHash: await hashPassword(password),
    active: true,
    instanceAdmin: false,
    rateLimits: [],
    createdAt: now,
  });
}

async function instanceEvents(harness: Harness, action: string) {
  const res = await call(harness.app, 'GET', `/v1/audit?scope=instance&action=${action}`, harness.adminToken);
  expect(res.status).toBe(200);
  return res.body.data as { count: number; ip: string; target: { id: string | null } }[];
}

describe.each(['sqlite', 'postgres'] as const)('sign-in throttling (%s)', (database) => {
  it('40 wrong passwords: 401 up to the account threshold, then 429 with Retry-After, the right one too', async () => {
    h = await startHarness({
      database,
      config: { loginAccountRateLimits: '5/900', loginAddressRateLimits: '100/900' },
    });
    await addUser(h, VICTIM, VICTIM_PASSWORD);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await login(h, VICTIM, `guess ${i}`, `198.51.100.${i % 4}`);
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body).toMatchObject({ code: 'RATE_LIMITED', error_id: expect.stringMatching(/^err_/) });
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(900);
      }
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    // Fails closed: the right password is refused while the window lasts.
    expect((await login(h, VICTIM, VICTIM_PASSWORD)).status).toBe(429);
    // Another account, from another address, is not affected.
    expect((await login(h, ADMIN_EMAIL, ADMIN_PASSWORD, '203.0.113.9')).status).toBe(200);
    // Case does not make a new account to guess at.
    expect((await login(h, VICTIM.toUpperCase(), 'guess', '203.0.113.10')).status).toBe(429);

    const failed = await instanceEvents(h, 'user.login_failed');
    expect(failed.reduce((sum, e) => sum + e.count, 0)).toBe(5);
    expect(failed.length).toBe(4); // one event per address, however many tries
    const throttled = await instanceEvents(h, 'user.login_throttled');
    expect(throttled.reduce((sum, e) => sum + e.count, 0)).toBe(37);
    expect(await instanceEvents(h, 'user.login_locked_out')).toHaveLength(1);
  });

  it('throttles an address that sprays many accounts; other addresses still sign in', async () => {
    h = await startHarness({
      database,
      config: { loginAccountRateLimits: '5/900', loginAddressRateLimits: '10/900' },
    });
    const spray = [];
    for (let i = 0; i < 15; i++)
      spray.push((await login(h, `user${i}@example.com`, 'Winter2026!', '192.0.2.50')).status);
    expect(spray.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(new Set(spray.slice(10))).toEqual(new Set([429]));
    expect((await login(h, ADMIN_EMAIL, ADMIN_PASSWORD, '192.0.2.50')).status).toBe(429);
    expect((await login(h, ADMIN_EMAIL, ADMIN_PASSWORD, '192.0.2.51')).status).toBe(200);
    // Unknown accounts and one address: the spray is one event with its count.
    expect(await instanceEvents(h, 'user.login_failed')).toMatchObject([{ count: 10, ip: '192.0.2.50' }]);
  });
});

describe('password hashing is bounded', () => {
  it('answers the excess of a login flood 503 with Retry-After instead of queuing it', async () => {
    h = await startHarness({
      config: { passwordHashConcurrency: 1, loginAccountRateLimits: 'none', loginAddressRateLimits: 'none' },
    });
    const harness = h;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login(harness, `flood${i}@example.com`, 'x', `10.0.0.${i}`)),
    );
    const busy = results.filter((r) => r.status === 503);
    // One hashing and four waiting at most: the other 25 are refused at once.
    expect(busy.length).toBeGreaterThanOrEqual(25);
    for (const r of busy) {
      expect(r.body).toMatchObject({ code: 'SERVER_BUSY', error_id: expect.stringMatching(/^err_/) });
      expect(r.headers['retry-after']).toBe('1');
    }
    expect(results.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(1);
    expect(results.every((r) => r.status === 401 || r.status === 503)).toBe(true);
    expect(h.deps.passwordSlots.stats()).toEqual({ running: 0, waiting: 0 });
  });
});

describe.each(['sqlite', 'postgres'] as const)('made-up session cookies (%s)', (database) => {
  it('count as failed authentications of the address and are throttled before any lookup', async () => {
    h = await startHarness({ database, config: { failedAuthRateLimits: '5/3600' } });
    const withCookie = (remoteAddress: string) =>
      (h as Harness).app.inject({
        method: 'GET',
        url: '/v1/auth/session',
        remoteAddress,
        headers: { cookie: `kw_session=${randomBytes(32).toString('base64url')}` },
      });
    for (let i = 0; i < 5; i++) expect((await withCookie('192.0.2.7')).statusCode).toBe(401);
    const before = h.storage.statementCount();
    for (let i = 0; i < 20; i++) {
      const res = await withCookie('192.0.2.7');
      expect(res.statusCode).toBe(429);
      expect(res.json()).toMatchObject({ code: 'RATE_LIMITED', error_id: expect.stringMatching(/^err_/) });
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    // The whole flood shares one error record (issue 9 §5): at most that one write.
    expect(h.storage.statementCount() - before).toBeLessThanOrEqual(1);
    expect((await withCookie('192.0.2.8')).statusCode).toBe(401);
  });
});
