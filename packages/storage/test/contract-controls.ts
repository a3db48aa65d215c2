import { describe, expect, it } from 'vitest';
import type { HarnessContext } from './contract.ts';
import { createToken, seedProject, tick } from './fixtures.ts';

export function controlsContract(ctx: HarnessContext): void {
  describe('token controls (allowlist, metadata) and idempotency keys', () => {
    it('stores an allowlist and metadata, returns them on get and on the verify read, and patches them', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { token, hash } = await createToken(storage, seed);
      expect(token.allowedIps).toEqual([]);
      expect(token.metadata).toEqual({});
      const patched = await storage.tokens.update(
        seed.projectId,
        token.id,
        { allowedIps: ['10.0.0.0/8', '2001:db8::/32'], metadata: { plan: 'pro', seats: 3 } },
        tick(),
      );
      expect(patched?.allowedIps).toEqual(['10.0.0.0/8', '2001:db8::/32']);
      expect(patched?.metadata).toEqual({ plan: 'pro', seats: 3 });
      const lookup = await storage.tokens.findByHashes([hash]);
      expect(lookup?.allowedIps).toEqual(['10.0.0.0/8', '2001:db8::/32']);
      expect(lookup?.metadata).toEqual({ plan: 'pro', seats: 3 });
    });

    it('claims a key once per actor and project, frees it once expired or released, and purges expired keys', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { token } = await createToken(storage, seed);
      const now = tick();
      const record = {
        projectId: seed.projectId,
        actorId: seed.user.id,
        key: 'k-1',
        requestHash: 'a'.repeat(64),
        status: 201,
        tokenIds: [],
        createdAt: now,
        expiresAt: now + 1000,
      };
      expect(await storage.idempotency.claim(record)).toBe(true);
      expect(await storage.idempotency.claim({ ...record, requestHash: 'b'.repeat(64) })).toBe(false);
      expect(await storage.idempotency.claim({ ...record, actorId: 'someone-else' })).toBe(true);
      expect((await storage.idempotency.get(seed.projectId, seed.user.id, 'k-1', now))?.requestHash).toBe(
        'a'.repeat(64),
      );
      expect(await storage.idempotency.get(seed.projectId, seed.user.id, 'k-1', now + 1000)).toBeNull();
      const later = { ...record, requestHash: 'c'.repeat(64), createdAt: now + 1000, expiresAt: now + 2000 };
      expect(await storage.idempotency.claim(later)).toBe(true);
      expect(await storage.idempotency.purge(now + 1500)).toBe(1);
      const pending = { ...record, key: 'k-2', status: 0 };
      expect(await storage.idempotency.claim(pending)).toBe(true);
      await storage.idempotency.release(seed.projectId, seed.user.id, 'k-2');
      expect(await storage.idempotency.claim(pending)).toBe(true);
      await storage.idempotency.complete({
        ...pending,
        status: 201,
        tokenIds: [token.id],
        expiresAt: now + 5000,
      });
      await storage.idempotency.release(seed.projectId, seed.user.id, 'k-2');
      const done = await storage.idempotency.get(seed.projectId, seed.user.id, 'k-2', now + 4000);
      expect(done).toMatchObject({ status: 201, tokenIds: [token.id] });
      expect(
        (await storage.idempotency.get(seed.projectId, seed.user.id, 'k-1', now + 1001))?.requestHash,
      ).toBe('c'.repeat(64));
    });
  });
}
