/**
 * A token limited to 30 per 60 s on three nodes sharing a private Redis, each through its own TCP
 * proxy. Limits are counted in PostgreSQL (ADR 0016): whatever Redis does (node 3 cut off, Redis
 * down, Redis back with nothing remembered) and when a node restarts, the three nodes together
 * admit exactly 30 per window.
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

describe('a limited token through Redis outages and a node restart: its limit across the cluster', () => {
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

  async function limitedToken() {
    const created = await api(cluster.nodes[0]?.url ?? '', 'POST', '/v1/tokens', cluster.adminToken, {
      name: `limited ${randomBytes(3).toString('hex')}`,
      scopes: ['jobs:read'],
      rate_limits: [{ limit: LIMIT, window_seconds: 60 }],
    });
    return { token: String(created.body.token), created: created.status };
  }

  /** `count` requests with `token` on every node at once (one after another on each): admitted per node. */
  function requestsOn(token: string, count = 40): Promise<number[]> {
    return Promise.all(
      cluster.nodes.map(async (node) => {
        let admitted = 0;
        for (let i = 0; i < count; i++) if ((await authorize(node.url, token)) === 200) admitted++;
        return admitted;
      }),
    );
  }

  /** A fresh token limited to LIMIT per 60 s, then 40 requests on every node. */
  async function burstOn() {
    const { token, created } = await limitedToken();
    expect(created).toBe(201);
    return { token, admitted: await requestsOn(token) };
  }

  const burst = async () => (await burstOn()).admitted;

  test('Redis reachable: exactly the limit, counted in the database', async () => {
    expect(cluster.nodes.map((n) => n.deps.rateLimits.mode())).toEqual(['database', 'database', 'database']);
    const admitted = await burst();
    process.stdout.write(`Redis reachable: admitted per node ${admitted.join(', ')}\n`);
    expect(admitted.reduce((a, b) => a + b, 0)).toBe(LIMIT);
  });

  test('node 3 partitioned from Redis: still exactly the limit across the three', async () => {
    await proxies[2]?.stop();
    const admitted = await burst();
    process.stdout.write(`node 3 partitioned: admitted per node ${admitted.join(', ')}\n`);
    expect(admitted.reduce((a, b) => a + b, 0)).toBe(LIMIT);
    await proxies[2]?.start();
  });

  test('Redis down, then restarted with every key forgotten: exactly the limit, then still not more', async () => {
    await redis.stop();
    const { token, admitted } = await burstOn();
    process.stdout.write(`Redis down: admitted per node ${admitted.join(', ')}\n`);
    expect(admitted.reduce((a, b) => a + b, 0)).toBe(LIMIT);
    await redis.restart();
    const again = await requestsOn(token);
    process.stdout.write(`Redis back (empty): admitted per node ${again.join(', ')}\n`);
    expect(again).toEqual([0, 0, 0]);
  });

  test('a node restarted mid-window forgets nothing: the window stays at the limit', async () => {
    const { token, created } = await limitedToken();
    expect(created).toBe(201);
    const first = await requestsOn(token, 5);
    expect(first).toEqual([5, 5, 5]);
    await cluster.restartNode(2);
    const rest = await requestsOn(token);
    process.stdout.write(`node 3 restarted: admitted before ${first.join(', ')}, after ${rest.join(', ')}\n`);
    expect([...first, ...rest].reduce((a, b) => a + b, 0)).toBe(LIMIT);
  });
});
