import { MAX_REDEEM_FAILURES, newId } from '@keyward/core';
import { describe, expect, it } from 'vitest';
import type { NewInvitation } from '../src/index.ts';
import type { HarnessContext } from './contract.ts';
import { randomHash, type Seed, seedProject, tick } from './fixtures.ts';

const HOUR = 3_600_000;

function invitationFor(seed: Seed, overrides: Partial<NewInvitation> = {}): NewInvitation {
  const now = tick();
  return {
    id: newId('invitation', now),
    projectId: seed.projectId,
    email: `Invitee-${now}@Example.com`,
    roleId: seed.reader.id,
    codeHash: randomHash(),
    hashVersion: 1,
    createdBy: seed.user.id,
    createdAt: now,
    expiresAt: now + HOUR,
    ...overrides,
  };
}

export function invitationsContract(ctx: HarnessContext): void {
  describe('invitations', () => {
    it('finds an invitation by any candidate hash and lists the pending ones with their role', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const input = invitationFor(seed);
      const created = await storage.invitations.create(input);
      expect(created).toMatchObject({ ...input, failedAttempts: 0, redeemedAt: null, revokedAt: null });
      expect(await storage.invitations.findByCodeHashes([randomHash(), input.codeHash])).toEqual(created);
      expect(await storage.invitations.findByCodeHashes([randomHash()])).toBeNull();
      const pending = await storage.invitations.listPending(seed.projectId, tick());
      expect(pending).toEqual([{ ...created, roleName: 'reader' }]);
      expect(await storage.invitations.listPending(seed.projectId, input.expiresAt)).toEqual([]);
    });

    it('is redeemed once, and not after it expired, was revoked or was burnt by failures', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const once = await storage.invitations.create(invitationFor(seed));
      expect(await storage.invitations.markRedeemed(once.id, seed.user.id, tick())).toBe(true);
      expect(await storage.invitations.markRedeemed(once.id, seed.user.id, tick())).toBe(false);
      expect(await storage.invitations.revoke(seed.projectId, once.id, tick())).toBeNull();

      const expired = await storage.invitations.create(invitationFor(seed, { expiresAt: tick() }));
      expect(await storage.invitations.markRedeemed(expired.id, seed.user.id, tick())).toBe(false);

      const revoked = await storage.invitations.create(invitationFor(seed));
      expect(
        (await storage.invitations.revoke(seed.projectId, revoked.id, tick()))?.revokedAt,
      ).not.toBeNull();
      expect(await storage.invitations.markRedeemed(revoked.id, seed.user.id, tick())).toBe(false);

      const burnt = await storage.invitations.create(invitationFor(seed));
      for (let n = 1; n <= MAX_REDEEM_FAILURES; n++) {
        expect(await storage.invitations.recordFailure(burnt.id)).toBe(n);
      }
      expect(await storage.invitations.markRedeemed(burnt.id, seed.user.id, tick())).toBe(false);
      expect(await storage.invitations.listPending(seed.projectId, tick())).toEqual([]);
      const email = burnt.email.toUpperCase();
      expect(await storage.invitations.failuresForEmail(email, burnt.createdAt)).toBe(MAX_REDEEM_FAILURES);
      expect(await storage.invitations.failuresForEmail(email, burnt.createdAt + 1)).toBe(0);
      expect(await storage.invitations.failuresForEmail('nobody@example.com', 0)).toBe(0);
    });

    it("revokes a project's open invitations for an email (any case), not another project's", async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const other = await seedProject(storage);
      const mine = await storage.invitations.create(invitationFor(seed, { email: 'Same@Example.com' }));
      const theirs = await storage.invitations.create(invitationFor(other, { email: 'same@example.com' }));
      expect(await storage.invitations.revoke(other.projectId, mine.id, tick())).toBeNull();
      expect(
        await storage.invitations.revokeOpenForEmail(seed.projectId, 'SAME@example.com', tick()),
      ).toEqual([mine.id]);
      expect((await storage.invitations.listPending(other.projectId, tick())).map((i) => i.id)).toEqual([
        theirs.id,
      ]);
    });

    it('goes with its role', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const extra = await storage.roles.create({
        id: newId('role', tick()),
        projectId: seed.projectId,
        name: 'temporary',
        description: '',
        scopes: ['jobs:read'],
        builtin: false,
        createdAt: tick(),
      });
      const invitation = await storage.invitations.create(invitationFor(seed, { roleId: extra.id }));
      expect(await storage.roles.delete(seed.projectId, extra.id)).toBe(true);
      expect(await storage.invitations.findByCodeHashes([invitation.codeHash])).toBeNull();
    });
  });
}
