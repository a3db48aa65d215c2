import { spawn } from 'node:child_process';
import { createStorage, type Storage } from '@keyward/storage';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDeps } from '../src/deps.ts';
import type { Deps } from '../src/types.ts';
import { call, type Harness, PG_URL, startHarness } from './harness.ts';
import { type Receiver, startReceiver } from './webhook-receiver.ts';

/** A second node on the harness's PostgreSQL schema: its own pool, dispatcher and clock. */
async function secondNode(h: Harness, now: () => number): Promise<{ deps: Deps; storage: Storage }> {
  const storage = createStorage({ kind: 'postgres', url: PG_URL, schema: h.schema ?? '' });
  const deps = await createDeps(h.deps.config, { storage, now });
  return { deps, storage };
}

async function endpointFor(h: Harness, receiver: Receiver) {
  const res = await call(h.app, 'POST', '/v1/webhooks', h.adminToken, {
    url: receiver.url,
    events: ['token.created'],
  });
  expect(res.status, res.raw).toBe(201);
  receiver.setSecret(res.body.secret);
  return res.body.id as string;
}

describe('webhook delivery across nodes (postgres)', () => {
  let h: Harness;
  let offset = 0;
  const now = () => Date.now() + offset;
  beforeAll(async () => {
    h = await startHarness({ database: 'postgres', now, config: { webhookAllowPrivateTargets: true } });
  });
  afterAll(() => h.close());

  test('two nodes dispatching at once deliver each event exactly once to a healthy receiver', async () => {
    const receiver = await startReceiver(now);
    const endpoint = await endpointFor(h, receiver);
    const b = await secondNode(h, now);
    try {
      const events = 40;
      for (let i = 0; i < events; i++)
        expect(
          (await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: `t${i}`, scopes: [] })).status,
        ).toBe(201);
      let sent = 0;
      for (let round = 0; round < 10 && sent < events; round++) {
        // One run per node at a time (a second call on a node joins its running one).
        const counts = await Promise.all([h.deps.webhooks.dispatchDue(), b.deps.webhooks.dispatchDue()]);
        sent += counts.reduce((x, y) => x + y, 0);
      }
      expect(sent).toBe(events);
      expect(receiver.received).toHaveLength(events);
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(events);
      expect(receiver.received.every((r) => r.failure === null)).toBe(true);
      const log = await h.storage.webhooks.listDeliveries(
        h.projectId as never,
        { endpointId: endpoint as never },
        100,
      );
      expect(log.map((d) => [d.status, d.attempts])).toEqual(Array(events).fill(['delivered', 1]));
    } finally {
      await call(h.app, 'DELETE', `/v1/webhooks/${endpoint}`, h.adminToken);
      await b.deps.rateLimits.close();
      await b.storage.close();
      await receiver.close();
    }
  });

  test('a node killed (SIGKILL) mid-delivery loses no event: another takes it once the lease ends', async () => {
    const receiver = await startReceiver(now, (n) => (n === 0 ? 'hang' : 200));
    const endpoint = await endpointFor(h, receiver);
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/test/webhook-node.fixture.ts'], {
      env: { ...process.env, KW_PG_URL: PG_URL, KW_SCHEMA: h.schema ?? '', KW_PEPPER: h.deps.config.pepper },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const created = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
        name: 'in flight',
        scopes: [],
      });
      expect(created.status).toBe(201);
      await Promise.race([
        receiver.waitFor(1),
        exited.then(() => {
          throw new Error(`the node exited before delivering:\n${output}`);
        }),
      ]);
      child.kill('SIGKILL');
      await exited;
      const [held] = await h.storage.webhooks.listDeliveries(
        h.projectId as never,
        { endpointId: endpoint as never },
        10,
      );
      expect(held).toMatchObject({ status: 'pending', attempts: 0 });
      // The dead node's lease still holds: nobody sends it twice while that node might be alive.
      expect(await h.deps.webhooks.dispatchDue()).toBe(0);
      offset = h.deps.config.webhookLeaseSeconds * 1000 + 1000;
      expect(await h.deps.webhooks.dispatchDue()).toBe(1);
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[1]?.headers['webhook-id']).toBe(receiver.received[0]?.headers['webhook-id']);
      expect(receiver.received.every((r) => r.failure === null)).toBe(true);
      const [done] = await h.storage.webhooks.listDeliveries(
        h.projectId as never,
        { endpointId: endpoint as never },
        10,
      );
      expect(done).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200 });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await receiver.close();
    }
  });
});
