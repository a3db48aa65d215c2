import { describe, expect, it } from 'vitest';
import type { CacheChangeRecord } from '../src/index.ts';
import type { HarnessContext } from './contract.ts';

export function cacheChangesContract(ctx: HarnessContext): void {
  describe('change log (cache_changes) and cluster nodes', () => {
    it('announces a change recorded in a transaction only once it has committed, in sequence order', async () => {
      const { storage } = ctx();
      const heard: CacheChangeRecord[] = [];
      storage.onCacheChanges((records) => heard.push(...records));
      const start = await storage.cacheChanges.latest();
      let heardInside = -1;
      await storage.transaction(async (tx) => {
        await tx.cacheChanges.record({ tokenId: 'tok_a' }, null, 1);
        await tx.cacheChanges.record({ projectId: 'prj_b' }, 'prj_b', 2);
        heardInside = heard.length;
      });
      expect(heardInside).toBe(0);
      expect(heard.map((r) => r.change)).toEqual([{ tokenId: 'tok_a' }, { projectId: 'prj_b' }]);
      expect(heard[1]?.projectId).toBe('prj_b');
      expect(heard[1]?.seq).toBe((heard[0]?.seq ?? 0) + 1);
      expect(await storage.cacheChanges.latest()).toBe(heard[1]?.seq);
      const since = await storage.cacheChanges.since(start, 10);
      expect(since.map((r) => r.change)).toEqual([{ tokenId: 'tok_a' }, { projectId: 'prj_b' }]);
    });

    it('a rolled-back change is neither written nor announced; outside a transaction it is at once', async () => {
      const { storage } = ctx();
      const heard: CacheChangeRecord[] = [];
      storage.onCacheChanges((records) => heard.push(...records));
      const start = await storage.cacheChanges.latest();
      await expect(
        storage.transaction(async (tx) => {
          await tx.cacheChanges.record({ tokenId: 'tok_rolled_back' }, null, 3);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(heard).toEqual([]);
      expect(await storage.cacheChanges.since(start, 10)).toEqual([]);
      await storage.cacheChanges.record({ ownerId: 'usr_c' }, null, 4);
      expect(heard.map((r) => r.change)).toEqual([{ ownerId: 'usr_c' }]);
      expect(await storage.cacheChanges.prune(5)).toBeGreaterThanOrEqual(1);
      expect(await storage.cacheChanges.since(start, 10)).toEqual([]);
    });

    it('counts the live nodes from their heartbeats', async () => {
      const { storage } = ctx();
      await storage.clusterNodes.heartbeat('node-a', 1, 1_000);
      await storage.clusterNodes.heartbeat('node-b', 1, 1_000);
      await storage.clusterNodes.heartbeat('node-c', 1, 100);
      expect(await storage.clusterNodes.countLive(500)).toBe(2);
      await storage.clusterNodes.heartbeat('node-c', 1, 2_000);
      expect(await storage.clusterNodes.countLive(500)).toBe(3);
      await storage.clusterNodes.remove('node-a');
      expect(await storage.clusterNodes.countLive(500)).toBe(2);
    });
  });
}
