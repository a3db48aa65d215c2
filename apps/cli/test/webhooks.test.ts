import { describe, expect, it } from 'vitest';
import { call } from '../../server/test/harness.ts';
import { startReceiver } from '../../server/test/webhook-receiver.ts';
import { parseJson, useCli } from './helpers.ts';

const fx = useCli({ harness: { config: { webhookAllowPrivateTargets: true } }, adminEnv: true });
const cli = (args: string[], token = fx.server.h.adminToken) =>
  fx.cli(args, { env: { KEYWARD_TOKEN: token } });

describe('keyward webhooks', () => {
  it('creates an endpoint (secret once), lists it, shows the delivery log and redelivers', async () => {
    const receiver = await startReceiver(Date.now);
    try {
      const created = await cli(['webhooks', 'create', receiver.url, '--events', 'token.created', '--json']);
      expect(created.code, created.stderr).toBe(0);
      const endpoint = parseJson<{ id: string; secret: string; events: string[] }>(created.stdout);
      expect(endpoint.secret).toMatch(/^whsec_/);
      expect(endpoint.events).toEqual(['token.created']);
      receiver.setSecret(endpoint.secret);

      const listed = await cli(['webhooks', 'list']);
      expect(listed.stdout).toContain(endpoint.id);
      expect(listed.stdout).not.toContain(endpoint.secret);

      expect(
        (
          await call(fx.server.h.app, 'POST', '/v1/tokens', fx.server.h.adminToken, {
            name: 'cli',
            scopes: [],
          })
        ).status,
      ).toBe(201);
      expect(await fx.server.h.deps.webhooks.dispatchDue()).toBe(1);
      const log = await cli(['webhooks', 'deliveries', endpoint.id, '--json']);
      const [delivery] = parseJson<{ data: { id: string; status: string; attempts: number }[] }>(
        log.stdout,
      ).data;
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 1 });

      const again = await cli(['webhooks', 'redeliver', delivery?.id ?? '']);
      expect(again.code, again.stderr).toBe(0);
      expect(await fx.server.h.deps.webhooks.dispatchDue()).toBe(1);
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[1]?.headers['webhook-id']).toBe(receiver.received[0]?.headers['webhook-id']);
      expect(receiver.received.every((r) => r.failure === null)).toBe(true);

      const refused = await cli(['webhooks', 'create', 'ftp://example.com/x']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/http or https/);
    } finally {
      await receiver.close();
    }
  });

  it('`keyward auth status` warns about a token inside its expiry reminder window', async () => {
    const soon = await call(fx.server.h.app, 'POST', '/v1/tokens', fx.server.h.adminToken, {
      name: 'expiring soon',
      scopes: [],
      expires_in_seconds: 3 * 86_400 + 3600,
    });
    const status = await cli(['auth', 'status'], soon.body.token);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/warning:\s+⚠ this token expires in 4 days/);
    const json = parseJson<{ credentials: { reminders: { kind: string }[] }[] }>(
      (await cli(['auth', 'status', '--json'], soon.body.token)).stdout,
    );
    expect(json.credentials[0]?.reminders.map((r) => r.kind)).toEqual(['expiring']);
    const later = await call(fx.server.h.app, 'POST', '/v1/tokens', fx.server.h.adminToken, {
      name: 'far away',
      scopes: [],
      expires_in_seconds: 60 * 86_400,
    });
    expect((await cli(['auth', 'status'], later.body.token)).stdout).not.toMatch(/warning/);
  });
});
