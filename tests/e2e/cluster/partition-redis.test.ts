/**
 * Three nodes on PostgreSQL and a private Redis, each node reaching Redis through its own TCP
 * proxy. Node 3 is cut off from Redis (connections dropped), then partitioned (connections open,
 * nothing passes): revokes and rotations it acknowledges must be refused by the other nodes within
 * 100 ms of the acknowledgement, though its publishes are lost.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTcpProxy } from '../../../apps/server/test/tcp-proxy.ts';
import { type Cluster, startCluster, startPrivateRedis } from './cluster.ts';
import { createTokens, emptyFigures, revokeAndProbe, summary } from './revocations.ts';

describe('a node cut off from Redis: its revocations still reach every node within 100 ms', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let proxies: Awaited<ReturnType<typeof startTcpProxy>>[];
  let cluster: Cluster;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    proxies = [];
    for (let i = 0; i < 3; i++) proxies.push(await startTcpProxy(redis.port));
    cluster = await startCluster(3, (i) => `redis://127.0.0.1:${proxies[i]?.port}`, {
      redisKeyPrefix: `kw-cluster-${randomBytes(4).toString('hex')}:`,
    });
    for (const node of cluster.nodes) expect(node.deps.invalidationBus?.busKind).toBe('redis');
  });
  afterAll(async () => {
    await cluster?.close();
    for (const proxy of proxies ?? []) await proxy.stop();
    await redis?.stop();
  });

  test('60 revokes and rotations on the partitioned node: none admitted elsewhere 100 ms after its ack', async () => {
    const tokens = await createTokens(cluster, 60);
    const victim = cluster.nodes[2];
    const figures = emptyFigures();

    // Cut: every connection of node 3 to Redis dropped, new ones refused.
    await proxies[2]?.stop();
    await revokeAndProbe(cluster, 2, tokens.slice(0, 30), figures);
    const cut = summary('cut', figures);

    // Partition: connections reconnect, then stay open but carry nothing (no error is ever seen).
    await proxies[2]?.start();
    expect(await victim?.deps.invalidationBus?.waitUntilConnected(10_000)).toBe(true);
    proxies[2]?.stall();
    await revokeAndProbe(cluster, 2, tokens.slice(30), figures);
    process.stdout.write(cut + summary('cut + stalled, all', figures));

    expect(figures.unexpected).toEqual([]);
    expect(figures.acknowledged).toBeGreaterThanOrEqual(50);
    expect(Math.max(...figures.lateAdmissionsMs)).toBeLessThan(100);
  });
});
