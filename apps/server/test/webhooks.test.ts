import {
  generateWebhookSecret,
  newId,
  type ProjectId,
  sealWebhookSecret,
  WEBHOOK_RETRY_DELAYS_SECONDS,
} from '@keyward/core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, startHarness } from './harness.ts';
import { inviteNewMember, roleId } from './invite-helpers.ts';
import { type Plan, type Receiver, startReceiver } from './webhook-receiver.ts';

const START = Date.parse('2031-03-01T09:00:00Z');

async function addEndpoint(h: Harness, receiver: Receiver, events: string[] = ['*']) {
  const res = await call(h.app, 'POST', '/v1/webhooks', h.adminToken, { url: receiver.url, events });
  expect(res.status, res.raw).toBe(201);
  expect(res.body.secret).toMatch(/^whsec_/);
  receiver.setSecret(res.body.secret);
  return res.body as { id: string; secret: string };
}

async function createToken(h: Harness, name: string) {
  const res = await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name, scopes: ['tokens:read'] });
  expect(res.status, res.raw).toBe(201);
  return res.body as { id: string; token: string };
}

describe.each(['sqlite', 'postgres'] as const)('signed webhooks (%s)', (database) => {
  let h: Harness;
  let clock = START;
  let receiver: Receiver;
  let plan: Plan = () => 200;
  beforeAll(async () => {
    h = await startHarness({ database, now: () => clock, config: { webhookAllowPrivateTargets: true } });
  });
  afterAll(() => h.close());
  afterEach(async () => {
    await receiver?.close();
    for (const endpoint of (await call(h.app, 'GET', '/v1/webhooks', h.adminToken)).body.data)
      await call(h.app, 'DELETE', `/v1/webhooks/${endpoint.id}`, h.adminToken);
    plan = () => 200;
  });

  test('every change arrives signed (Standard Webhooks), verified by the SDK helper, with no secret in any payload', async () => {
    receiver = await startReceiver(
      () => clock,
      (n) => plan(n),
    );
    const endpoint = await addEndpoint(h, receiver);
    const token = await createToken(h, 'ci deploy');
    await call(h.app, 'PATCH', `/v1/tokens/${token.id}`, h.adminToken, { name: 'ci deploy 2' });
    const rotated = await call(h.app, 'POST', `/v1/tokens/${token.id}/rotate`, h.adminToken, {});
    expect(rotated.status, rotated.raw).toBe(200);
    await call(h.app, 'POST', `/v1/tokens/${token.id}/disable`, h.adminToken, {});
    await call(h.app, 'POST', `/v1/tokens/${token.id}/revoke`, h.adminToken, { reason: 'done' });
    expect(receiver.received).toHaveLength(0);

    expect(await h.deps.webhooks.dispatchDue()).toBe(5);
    const got = receiver.received;
    expect(got.map((r) => r.failure)).toEqual([null, null, null, null, null]);
    expect(got.map((r) => r.event?.type).sort()).toEqual(
      ['token.created', 'token.updated', 'token.rotated', 'token.disabled', 'token.revoked'].sort(),
    );
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(5);
    for (const r of got) {
      expect(r.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(r.headers['webhook-timestamp']).toBe(String(Math.floor(clock / 1000)));
      expect(r.event?.data.project_id).toBe(h.projectId);
      expect((r.event?.data.token as { id: string }).id).toBe(token.id);
      for (const secret of [token.token, rotated.body.token, endpoint.secret, endpoint.secret.slice(6)])
        expect(r.body).not.toContain(secret);
    }
    // A body changed in transit, or signed under another secret, fails the same helper.
    const { verifyWebhook } = await import('@keyward/sdk');
    const first = got[0];
    if (!first) throw new Error('no delivery');
    await expect(
      verifyWebhook(endpoint.secret, first.headers as Record<string, string>, `${first.body} `, {
        now: clock,
      }),
    ).rejects.toThrow(/signature/);

    const log = await call(h.app, 'GET', `/v1/webhooks/${endpoint.id}/deliveries`, h.adminToken);
    expect(log.body.data).toHaveLength(5);
    for (const d of log.body.data) {
      expect(d).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200 });
      expect(d.last_latency_ms).toBeGreaterThanOrEqual(0);
    }
    expect(await h.deps.webhooks.dispatchDue()).toBe(0);
  });

  test('a failed delivery waits for its backoff, then is retried with the same webhook-id', async () => {
    plan = (n) => (n < 3 ? 503 : 200);
    receiver = await startReceiver(
      () => clock,
      (n) => plan(n),
    );
    const endpoint = await addEndpoint(h, receiver, ['token.created']);
    await createToken(h, 'flaky receiver');
    await createToken(h, 'not sent twice');
    await call(h.app, 'POST', `/v1/tokens/${(await createToken(h, 'x')).id}/revoke`, h.adminToken, {});
    const first = await h.deps.webhooks.dispatchDue();
    expect(first).toBe(3);
    expect(receiver.received.filter((r) => r.failure === null)).toHaveLength(3);
    const failedIds = receiver.received.map((r) => r.headers['webhook-id']);
    expect(new Set(failedIds).size).toBe(3);

    // Not due before the backoff ends.
    clock += (WEBHOOK_RETRY_DELAYS_SECONDS[0] as number) * 1000 - 1000;
    expect(await h.deps.webhooks.dispatchDue()).toBe(0);
    clock += 1000;
    expect(await h.deps.webhooks.dispatchDue()).toBe(3);
    expect(receiver.received).toHaveLength(6);
    // Each delivered now, once more each, with the webhook-id of its first attempt.
    expect(
      receiver.received
        .slice(3)
        .map((r) => r.headers['webhook-id'])
        .sort(),
    ).toEqual([...failedIds].sort());
    expect(receiver.received.every((r) => r.failure === null)).toBe(true);

    clock += 86_400_000;
    expect(await h.deps.webhooks.dispatchDue()).toBe(0);
    const log = await call(h.app, 'GET', `/v1/webhooks/${endpoint.id}/deliveries`, h.adminToken);
    expect(log.body.data.map((d: { status: string }) => d.status)).toEqual([
      'delivered',
      'delivered',
      'delivered',
    ]);
    const detail = await call(h.app, 'GET', `/v1/webhook-deliveries/${log.body.data[0].id}`, h.adminToken);
    expect(detail.body.attempt_log.map((a: { status_code: number }) => a.status_code)).toEqual([503, 200]);
    expect(detail.body.payload.type).toBe('token.created');
  });

  test('fails three times, then succeeds: four attempts of one event, one webhook-id', async () => {
    plan = (n) => (n < 3 ? 500 : 204);
    receiver = await startReceiver(
      () => clock,
      (n) => plan(n),
    );
    const endpoint = await addEndpoint(h, receiver, ['token.created']);
    await createToken(h, 'four attempts');
    await h.deps.webhooks.dispatchDue();
    for (const delay of WEBHOOK_RETRY_DELAYS_SECONDS.slice(0, 3)) {
      clock += delay * 1000;
      expect(await h.deps.webhooks.dispatchDue()).toBe(1);
    }
    clock += 365 * 86_400_000;
    expect(await h.deps.webhooks.dispatchDue()).toBe(0);
    expect(receiver.received).toHaveLength(4);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(receiver.received.every((r) => r.failure === null)).toBe(true);
    const [delivery] = (await call(h.app, 'GET', `/v1/webhooks/${endpoint.id}/deliveries`, h.adminToken)).body
      .data;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 4, last_status_code: 204 });

    // Redelivery sends it again, same webhook-id.
    const again = await call(
      h.app,
      'POST',
      `/v1/webhook-deliveries/${delivery.id}/redeliver`,
      h.adminToken,
      {},
    );
    expect(again.status, again.raw).toBe(202);
    expect(await h.deps.webhooks.dispatchDue()).toBe(1);
    expect(receiver.received).toHaveLength(5);
    expect(receiver.received[4]?.headers['webhook-id']).toBe(receiver.received[0]?.headers['webhook-id']);
  });

  test('retries end after about a day: the endpoint is disabled with the reason, audited; re-enabling resumes', async () => {
    plan = () => 500;
    receiver = await startReceiver(
      () => clock,
      (n) => plan(n),
    );
    const endpoint = await addEndpoint(h, receiver, ['token.created']);
    await createToken(h, 'never received');
    await h.deps.webhooks.dispatchDue();
    for (const delay of WEBHOOK_RETRY_DELAYS_SECONDS) {
      clock += delay * 1000;
      expect(await h.deps.webhooks.dispatchDue()).toBe(1);
    }
    const total = WEBHOOK_RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0);
    expect(total / 3600).toBeGreaterThan(20);
    expect(total / 3600).toBeLessThan(36);
    expect(receiver.received).toHaveLength(WEBHOOK_RETRY_DELAYS_SECONDS.length + 1);
    const shown = await call(h.app, 'GET', `/v1/webhooks/${endpoint.id}`, h.adminToken);
    expect(shown.body.enabled).toBe(false);
    expect(shown.body.disabled_reason).toMatch(/failed attempts.*500/);
    const audit = await call(h.app, 'GET', '/v1/audit?action=webhook.endpoint_disabled', h.adminToken);
    expect(audit.body.data.some((e: { target: { id: string } }) => e.target.id === endpoint.id)).toBe(true);
    const [failed] = (await call(h.app, 'GET', `/v1/webhooks/${endpoint.id}/deliveries`, h.adminToken)).body
      .data;
    expect(failed.status).toBe('failed');

    // Disabled: new events are not queued for it; re-enabled and redelivered, it gets them again.
    await createToken(h, 'while disabled');
    expect(await h.deps.webhooks.dispatchDue()).toBe(0);
    plan = () => 200;
    await call(h.app, 'PATCH', `/v1/webhooks/${endpoint.id}`, h.adminToken, { enabled: true });
    await call(h.app, 'POST', `/v1/webhook-deliveries/${failed.id}/redeliver`, h.adminToken, {});
    expect(await h.deps.webhooks.dispatchDue()).toBe(1);
    expect(receiver.received.at(-1)?.headers['webhook-id']).toBe(receiver.received[0]?.headers['webhook-id']);
  });
});

describe('member events', () => {
  let h: Harness;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await startHarness({ config: { webhookAllowPrivateTargets: true } });
    receiver = await startReceiver(Date.now);
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  test('invited, joined, role changed, removed: each sent once, signed, without the invitation code', async () => {
    await addEndpoint(h, receiver, [
      'member.invited',
      'member.joined',
      'member.role_changed',
      'member.removed',
    ]);
    const viewer = await roleId(h, h.adminToken, 'accounting');
    const owner = await roleId(h, h.adminToken, 'owner');
    const userId = await inviteNewMember(
      h,
      h.adminToken,
      'dana@example.com',
      viewer,
      'a long enough password',
    );
    expect(
      (await call(h.app, 'PATCH', `/v1/members/${userId}`, h.adminToken, { role_id: owner })).status,
    ).toBe(200);
    expect((await call(h.app, 'DELETE', `/v1/members/${userId}`, h.adminToken)).status).toBe(204);
    expect(await h.deps.webhooks.dispatchDue()).toBe(4);
    expect(receiver.received.every((r) => r.failure === null)).toBe(true);
    const events = receiver.received.map((r) => r.event);
    expect(events.map((e) => e?.type).sort()).toEqual([
      'member.invited',
      'member.joined',
      'member.removed',
      'member.role_changed',
    ]);
    const invited = events.find((e) => e?.type === 'member.invited');
    expect(invited?.data.email).toBe('dana@example.com');
    expect(events.filter((e) => e?.data.user_id === userId)).toHaveLength(3);
    for (const r of receiver.received) expect(r.body).not.toMatch(/"code"/);
  });
});

describe('webhook targets', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  test('loopback and private targets are refused unless the operator allows them; so are secrets in the URL', async () => {
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://localhost:9/hook',
      'http://10.1.2.3/hook',
      'http://[::1]:9/hook',
      'http://169.254.169.254/latest/meta-data',
      'ftp://example.com/hook',
      'https://user:pass@example.com/hook',
    ]) {
      const res = await call(h.app, 'POST', '/v1/webhooks', h.adminToken, { url, events: ['*'] });
      expect(res.status, url).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const none = await call(h.app, 'GET', '/v1/webhooks', h.adminToken);
    expect(none.body.data).toEqual([]);
    const unknownEvent = await call(h.app, 'POST', '/v1/webhooks', h.adminToken, {
      url: 'https://example.com/hook',
      events: ['token.exploded'],
    });
    expect(unknownEvent.status).toBe(400);
  });

  test('an endpoint already stored on a private address is not connected to once they are refused', async () => {
    const receiver = await startReceiver(Date.now);
    try {
      for (const url of [receiver.url, receiver.url.replace('127.0.0.1', 'localhost')])
        await h.storage.webhooks.createEndpoint({
          id: newId('webhookEndpoint'),
          projectId: h.projectId as ProjectId,
          url,
          description: 'stored while private targets were allowed',
          events: ['*'],
          sealedSecret: sealWebhookSecret(generateWebhookSecret(), h.deps.peppers.current),
          createdBy: null,
          createdAt: h.deps.now(),
        });
      expect((await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: 'p', scopes: [] })).status).toBe(
        201,
      );
      expect(await h.deps.webhooks.dispatchDue()).toBe(2);
      expect(receiver.received).toHaveLength(0);
      const deliveries = await h.storage.webhooks.listDeliveries(h.projectId as ProjectId, {}, 10);
      expect(deliveries.map((d) => [d.status, d.lastError])).toEqual([
        ['pending', 'EPRIVATETARGET'],
        ['pending', 'EPRIVATETARGET'],
      ]);
    } finally {
      await receiver.close();
    }
  });

  test('configuring webhooks needs projects:admin; reading them never shows the secret', async () => {
    const weak = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'w',
      scopes: ['tokens:write'],
    });
    const refused = await call(h.app, 'POST', '/v1/webhooks', weak.body.token, {
      url: 'https://example.com/hook',
      events: ['*'],
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('INSUFFICIENT_SCOPE');
  });
});
