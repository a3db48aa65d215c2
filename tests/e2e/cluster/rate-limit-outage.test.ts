/**
 * A token limited to 30 per 60 s on three nodes sharing a private Redis, each through its own TCP
 * proxy: while node 3 is cut off from Redis, and while Redis itself is down, the three nodes
 * together admit at most 30 (node 3, or each node, its share of 10; the others the rest).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTcpProxy } from '../../../apps/server/test/tcp-proxy.ts';
import { api, authorize, type Cluster, startCluster, startPrivateRedis } from './cluster.ts';

const LIMIT = 30;

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); await sleep(25)) {
    if (Date.now() > deadline) throw new Error(`not reached: ${what}`);
  }
}

describe('a limited token while Redis is away: at most its limit across the cluster', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let proxies: Awaited<ReturnType<typeof startTcpProxy>>[];
  let cluster: Cluster;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    proxies = [];
    for (let i = 0; i < 3; i++) proxies.push(await startTcpProxy(redis.port));
    cluster = await startCluster(3, (i) => `redis://127.0.0.1:${proxies[i]?.port}`, {
      redisKeyPrefix: `kw-rl-cluster-${randomBytes(4).toString('hex')}:`,
    });
    await until(() => cluster.nodes.every((n) => n.deps.invalidationBus?.liveNodes() === 3), '3 live nodes');
  });
  afterAll(async () => {
    await cluster?.close();
    for (const proxy of proxies ?? []) await proxy.stop();
    await redis?.stop();
  });

  /** A fresh limited token, then 40 requests on every node at once: admitted per node. */
  async function burst(): Promise<number[]> {
    const created = await api(cluster.nodes[0]?.url ?? '', 'POST', '/v1/tokens', cluster.adminToken, {
      name: `limited ${randomBytes(3).toString('hex')}`,
      scopes: ['jobs:read'],
      rate_limits: [{ limit: LIMIT, window_seconds: 60 }],
    });
    expect(created.status).toBe(201);
    const token = String(created.body.token);
    return Promise.all(
      cluster.nodes.map(async (node) => {
        let admitted = 0;
        for (let i = 0; i < 40; i++) if ((await authorize(node.url, token)) === 200) admitted++;
        return admitted;
      }),
    );
  }

  test('shared while Redis is reachable: exactly the limit', async () => {
    const admitted = await burst();
    process.stdout.write(`Redis reachable: admitted per node ${admitted.join(', ')}\n`);
    expect(admitted.reduce((a, b) => a + b, 0)).toBe(LIMIT);
  });

  test('node 3 partitioned from Redis: it admits its share (10), the others the rest (20)', async () => {
    await proxies[2]?.stop();
    const [n1, n2, n3] = cluster.nodes.map((n) => n.deps);
    await until(() => n3?.rateLimits.mode() === 'fallback', 'node 3 in fallback');
    // The others learn it from node 3's heartbeat and leave its share to it.
    await until(
      () => n1?.invalidationBus?.othersInFallback() === 1 && n2?.invalidationBus?.othersInFallback() === 1,
      'nodes 1 and 2 see node 3 in fallback',
    );
    const admitted = await burst();
    process.stdout.write(`node 3 partitioned: admitted per node ${admitted.join(', ')}\n`);
    expect(admitted[2]).toBe(LIMIT / 3);
    expect(admitted.reduce((a, b) => a + b, 0)).toBe(LIMIT);
    await proxies[2]?.start();
    await until(() => n3?.rateLimits.mode() === 'redis', 'node 3 back on Redis', 30_000);
  });

  test('Redis down for every node: each admits its share, 30 in all', async () => {
    await redis.stop();
    await until(() => cluster.nodes.every((n) => n.deps.rateLimits.mode() === 'fallback'), 'all in fallback');
    const admitted = await burst();
    process.stdout.write(`Redis down: admitted per node ${admitted.join(', ')}\n`);
    expect(admitted).toEqual([LIMIT / 3, LIMIT / 3, LIMIT / 3]);
    // Back: shared counting again, exactly the limit.
    await redis.restart();
    await until(
      () => cluster.nodes.every((n) => n.deps.rateLimits.mode() === 'redis'),
      'all back on Redis',
      30_000,
    );
    await until(
      () => cluster.nodes.every((n) => n.deps.invalidationBus?.othersInFallback() === 0),
      'no node in fallback any more',
    );
    const after = await burst();
    process.stdout.write(`Redis back: admitted per node ${after.join(', ')}\n`);
    expect(after.reduce((a, b) => a + b, 0)).toBe(LIMIT);
  });
});
