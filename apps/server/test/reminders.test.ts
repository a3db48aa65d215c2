import { createStorage } from '@keyward/storage';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDeps } from '../src/deps.ts';
import type { Deps } from '../src/types.ts';
import { call, type Harness, PG_URL, startHarness } from './harness.ts';
import { startReceiver } from './webhook-receiver.ts';

const DAY = 86_400_000;
const START = Date.parse('2032-06-01T00:00:00Z');
const EVENTS = ['token.expiring', 'token.expired', 'token.idle_warning', 'token.auto_revoked'];

type Sent = { type: string; token: string; threshold?: number };

/** Sets up a receiver on every reminder event; `sent()` dispatches and lists what arrived. */
async function reminderReceiver(h: Harness, clock: () => number) {
  const receiver = await startReceiver(clock);
  const res = await call(h.app, 'POST', '/v1/webhooks', h.adminToken, { url: receiver.url, events: EVENTS });
  expect(res.status, res.raw).toBe(201);
  receiver.setSecret(res.body.secret);
  return {
    receiver,
    async sent(): Promise<Sent[]> {
      await h.deps.webhooks.dispatchDue();
      expect(receiver.received.every((r) => r.failure === null)).toBe(true);
      // Deliveries go out in parallel: order by when each event happened, then by token.
      const events = receiver.received.map((r) => r.event).filter((e) => e !== null);
      const key = (e: (typeof events)[number]) => `${e.timestamp} ${(e.data.token as { id: string }).id}`;
      return events
        .sort((a, b) => key(a).localeCompare(key(b)))
        .map((e) => {
          const data = e.data as { token: { id: string }; threshold_days?: number };
          return {
            type: e.type,
            token: data.token.id,
            ...(data.threshold_days !== undefined ? { threshold: data.threshold_days } : {}),
          };
        });
    },
  };
}

async function tokenExpiringIn(h: Harness, name: string, days: number) {
  const res = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
    name,
    scopes: [],
    expires_in_seconds: days * 86_400,
  });
  expect(res.status, res.raw).toBe(201);
  return res.body as { id: string; token: string };
}

describe('expiry reminders with a controlled clock (sqlite)', () => {
  let h: Harness;
  let clock = START;
  let rx: Awaited<ReturnType<typeof reminderReceiver>>;
  beforeAll(async () => {
    h = await startHarness({ now: () => clock, config: { webhookAllowPrivateTargets: true } });
    rx = await reminderReceiver(h, () => clock);
  });
  afterAll(async () => {
    await rx.receiver.close();
    await h.close();
  });

  test('14, 7 and 1 days: each once per token; rotated or revoked before a threshold gets none', async () => {
    const kept = await tokenExpiringIn(h, 'kept', 20);
    const rotated = await tokenExpiringIn(h, 'rotated', 20);
    const revoked = await tokenExpiringIn(h, 'revoked', 20);
    const late = await tokenExpiringIn(h, 'created late in its life', 3);
    const run = async (at: number) => {
      clock = at;
      await h.deps.reminders.runDue();
      await h.deps.reminders.runDue();
    };
    await run(START);
    expect(await rx.sent()).toEqual([{ type: 'token.expiring', token: late.id, threshold: 7 }]);
    clock = START + 2 * DAY;
    expect((await call(h.app, 'POST', `/v1/tokens/${rotated.id}/rotate`, h.adminToken, {})).status).toBe(200);
    expect((await call(h.app, 'POST', `/v1/tokens/${revoked.id}/revoke`, h.adminToken, {})).status).toBe(200);
    for (const day of [2.5, 5.9, 6.1, 6.2, 12.9, 13.1, 18.9, 19.1, 19.5, 20.1, 21, 30])
      await run(START + day * DAY);
    const sent = await rx.sent();
    const about = (id: string) =>
      sent.filter((s) => s.token === id).map((s) => `${s.type}:${s.threshold ?? ''}`);
    expect(about(kept.id)).toEqual([
      'token.expiring:14',
      'token.expiring:7',
      'token.expiring:1',
      'token.expired:',
    ]);
    expect(about(late.id)).toEqual(['token.expiring:7', 'token.expiring:1', 'token.expired:']);
    expect(about(rotated.id)).toEqual(['token.expired:']);
    expect(about(revoked.id)).toEqual([]);
  });

  test('the thresholds are a project setting; the console notices list what is coming', async () => {
    const set = await call(h.app, 'PATCH', '/v1/reminders/settings', h.adminToken, {
      expiry_reminder_days: [30, 2],
    });
    expect(set.status, set.raw).toBe(200);
    expect(set.body.expiry_reminder_days).toEqual([30, 2]);
    // Reminders look a year ahead at most; an idle warning must come before the revocation.
    const tooFar = await call(h.app, 'PATCH', '/v1/reminders/settings', h.adminToken, {
      expiry_reminder_days: [400],
    });
    expect(tooFar.status).toBe(400);
    const late = await call(h.app, 'PATCH', '/v1/reminders/settings', h.adminToken, {
      idle_revoke_days: 10,
      idle_reminder_days: 10,
    });
    expect([late.status, late.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await call(h.app, 'GET', '/v1/reminders/settings', h.adminToken)).body).toMatchObject({
      expiry_reminder_days: [30, 2],
      idle_revoke_days: null,
    });
    const soon = await tokenExpiringIn(h, 'soon', 25);
    const notices = await call(h.app, 'GET', '/v1/reminders', h.adminToken);
    expect(notices.body.data).toContainEqual(
      expect.objectContaining({ kind: 'expiring', token_id: soon.id, days_left: 25 }),
    );
    const mine = await call(h.app, 'GET', '/v1/me/reminders', soon.token);
    expect(mine.status).toBe(200);
    expect(mine.body.data.map((n: { token_id: string }) => n.token_id)).toEqual([soon.id]);
    const before = (await rx.sent()).length;
    await h.deps.reminders.runDue();
    const fresh = (await rx.sent()).slice(before);
    expect(fresh).toEqual([{ type: 'token.expiring', token: soon.id, threshold: 30 }]);
  });
});

describe('reminders on two PostgreSQL nodes and a restart', () => {
  let h: Harness;
  let clock = START;
  const now = () => clock;
  beforeAll(async () => {
    h = await startHarness({ database: 'postgres', now, config: { webhookAllowPrivateTargets: true } });
  });
  afterAll(() => h.close());

  async function node(): Promise<{ deps: Deps; close: () => Promise<void> }> {
    const storage = createStorage({ kind: 'postgres', url: PG_URL, schema: h.schema ?? '' });
    const deps = await createDeps(h.deps.config, { storage, now });
    return {
      deps,
      close: async () => {
        await deps.rateLimits.close();
        await storage.close();
      },
    };
  }

  test('each threshold fires once per token with two nodes running at once, before and after a restart', async () => {
    const rx = await reminderReceiver(h, now);
    const tokens = await Promise.all(
      Array.from({ length: 8 }, (_, i) => tokenExpiringIn(h, `fleet ${i}`, 16)),
    );
    let b = await node();
    try {
      for (const day of [2.5, 2.6, 9.5]) {
        clock = START + day * DAY;
        await Promise.all([h.deps.reminders.runDue(), b.deps.reminders.runDue()]);
        await Promise.all([h.deps.reminders.runDue(), b.deps.reminders.runDue()]);
      }
      await b.close();
      b = await node();
      for (const day of [9.6, 15.1, 15.2]) {
        clock = START + day * DAY;
        await Promise.all([h.deps.reminders.runDue(), b.deps.reminders.runDue()]);
      }
      const sent = await rx.sent();
      for (const token of tokens) {
        const mine = sent.filter((s) => s.token === token.id).map((s) => s.threshold);
        expect(mine).toEqual([14, 7, 1]);
      }
      expect(sent).toHaveLength(tokens.length * 3);
    } finally {
      await b.close();
      await rx.receiver.close();
    }
  });
});

describe('idle revocation with a controlled clock (sqlite)', () => {
  let h: Harness;
  let clock = START;
  let rx: Awaited<ReturnType<typeof reminderReceiver>>;
  beforeAll(async () => {
    h = await startHarness({ now: () => clock, config: { webhookAllowPrivateTargets: true } });
    rx = await reminderReceiver(h, () => clock);
  });
  afterAll(async () => {
    await rx.receiver.close();
    await h.close();
  });

  /** Moves the clock, keeps the admin token in use (it is idle-revocable too), runs the reminders. */
  async function day(n: number) {
    clock = START + n * DAY;
    await call(h.app, 'GET', '/v1/me', h.adminToken);
    await h.deps.usage.flush();
    await h.deps.reminders.runDue();
  }

  test('revoke tokens unused for 30 days, warned 7 days before; the revocation is audited and sent', async () => {
    const set = await call(h.app, 'PATCH', '/v1/reminders/settings', h.adminToken, {
      idle_revoke_days: 30,
      idle_reminder_days: 7,
    });
    expect(set.status, set.raw).toBe(200);
    const idle = (await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: 'idle', scopes: [] })).body;
    const used = (await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: 'used', scopes: [] })).body;
    await day(10);
    expect((await call(h.app, 'GET', '/v1/me', used.token)).status).toBe(200);
    await h.deps.usage.flush();
    await day(22.9);
    expect(await rx.sent()).toEqual([]);
    await day(23);
    expect(await rx.sent()).toEqual([{ type: 'token.idle_warning', token: idle.id }]);
    const warning = rx.receiver.received.find((r) => r.event?.type === 'token.idle_warning')?.event?.data as {
      revoke_at: string;
    };
    expect(warning.revoke_at).toBe(new Date(START + 30 * DAY).toISOString());
    const notices = await call(h.app, 'GET', '/v1/reminders', h.adminToken);
    expect(notices.body.data).toContainEqual(expect.objectContaining({ kind: 'idle', token_id: idle.id }));
    await day(29.9);
    expect((await call(h.app, 'GET', '/v1/me', idle.token)).status).toBe(200);
    // That use re-arms the idle clock: no revocation at day 30 for it any more.
    await h.deps.usage.flush();
    await day(30.1);
    expect((await rx.sent()).map((s) => s.type)).toEqual(['token.idle_warning']);
    await day(52.9 + 0.2);
    expect((await rx.sent()).slice(1)).toEqual(
      [idle.id, used.id].sort().map((token) => ({ type: 'token.idle_warning', token })),
    );
    await day(59.95);
    expect(await rx.sent()).toHaveLength(3);
    await day(60.1);
    const sent = (await rx.sent()).slice(3);
    // Both were warned at day 53.1 with 7 days to go: both are revoked in the same pass.
    expect(sent).toEqual([idle.id, used.id].sort().map((token) => ({ type: 'token.auto_revoked', token })));
    expect((await call(h.app, 'GET', '/v1/me', idle.token)).status).toBe(401);
    const audit = await call(
      h.app,
      'GET',
      `/v1/audit?action=token.auto_revoked&target_id=${idle.id}`,
      h.adminToken,
    );
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0].changes.revoked_reason.after).toBe('idle: unused for 30 days');
    const shown = await call(h.app, 'GET', `/v1/tokens/${idle.id}`, h.adminToken);
    expect(shown.body.revoked_reason).toBe('idle: unused for 30 days');
  });

  test('a policy switched on late warns first: nothing is revoked before its warning had its days', async () => {
    const old = (await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: 'old', scopes: [] })).body;
    const base = (clock - START) / DAY;
    await call(h.app, 'PATCH', '/v1/reminders/settings', h.adminToken, { idle_revoke_days: null });
    await day(base + 100);
    const before = (await rx.sent()).length;
    await call(h.app, 'PATCH', '/v1/reminders/settings', h.adminToken, { idle_revoke_days: 30 });
    await day(base + 100.01);
    expect((await rx.sent()).slice(before)).toEqual([{ type: 'token.idle_warning', token: old.id }]);
    await day(base + 106.9);
    expect((await call(h.app, 'GET', '/v1/me', old.token)).status).toBe(200);
    expect((await rx.sent()).slice(before)).toHaveLength(1);
  });
});
