/**
 * Three nodes on PostgreSQL and no Redis: the bus is LISTEN/NOTIFY. Revokes and rotations on node 3
 * while the nodes' LISTEN connections are killed again and again must be refused by the other
 * nodes within 100 ms of the acknowledgement.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Cluster, startCluster, terminateBackends } from './cluster.ts';
import { createTokens, emptyFigures, revokeAndProbe, summary } from './revocations.ts';

describe('PostgreSQL as the only bus: revocations reach every node within 100 ms', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster(3, () => undefined);
    for (const node of cluster.nodes) expect(node.deps.invalidationBus?.busKind).toBe('postgres');
  });
  afterAll(async () => cluster?.close());

  test('60 revokes and rotations on one node, LISTEN connections killed every 5th change', async () => {
    const tokens = await createTokens(cluster, 60);
    const quiet = emptyFigures();
    await revokeAndProbe(cluster, 2, tokens.slice(0, 20), quiet);
    const figures = emptyFigures();
    let killed = 0;
    await revokeAndProbe(cluster, 2, tokens.slice(20), figures, async (i) => {
      if (i % 5 !== 0) return;
      for (const node of [cluster.nodes[2], cluster.nodes[i % 2]]) {
        killed += await terminateBackends(`keyward-bus-${node?.deps.invalidationBus?.node}`);
      }
    });
    process.stdout.write(
      summary('PostgreSQL bus, quiet', quiet) +
        summary(`PostgreSQL bus, ${killed} LISTEN connections killed`, figures),
    );
    for (const f of [quiet, figures]) {
      expect(f.unexpected).toEqual([]);
      expect(Math.max(...f.lateAdmissionsMs)).toBeLessThan(100);
    }
    expect(quiet.acknowledged + figures.acknowledged).toBeGreaterThanOrEqual(50);
    expect(killed).toBeGreaterThan(0);
  });
});
