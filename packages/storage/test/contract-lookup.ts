import { INSTANCE_ADMIN_SCOPE, newId } from '@keyward/core';
import { describe, expect, it } from 'vitest';
import type { HarnessContext } from './contract.ts';
import { createToken, randomHash, seedProject, tick } from './fixtures.ts';

export function lookupContract(ctx: HarnessContext): void {
  describe('tokens.findByHashes (the verify read)', () => {
    it("returns a user token's state, its owner's role scopes and every rate limit in one statement", async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { token, hash } = await createToken(storage, seed, { scopes: ['tokens:read'], expiresAt: 9e12 });
      const before = storage.statementCount();
      const lookup = await storage.tokens.findByHashes([hash]);
      expect(storage.statementCount() - before).toBe(1);
      expect(lookup).toEqual({
        state: {
          tokenId: token.id,
          projectId: seed.projectId,
          ownerType: 'user',
          ownerId: seed.user.id,
          name: token.name,
          scopes: ['tokens:read'],
          ownerScopes: ['tokens:read', 'usage:read'],
          ownerActive: true,
          expiresAt: 9e12,
          revokedAt: null,
          disabledAt: null,
          secretExpiresAt: null,
        },
        hashVersion: 1,
        hint: token.hint,
        role: null,
        rateLimits: {
          token: [{ limit: 50, windowSeconds: 60 }],
          owner: [{ limit: 10, windowSeconds: 1 }],
          project: [{ limit: 1000, windowSeconds: 60 }],
        },
        allowedIps: [],
        metadata: {},
      });
    });

    it('answers null for unknown hashes and picks the hash that matches among candidates', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { token, hash } = await createToken(storage, seed);
      expect(await storage.tokens.findByHashes([randomHash()])).toBeNull();
      expect(await storage.tokens.findByHashes([])).toBeNull();
      expect((await storage.tokens.findByHashes([randomHash(), hash]))?.state.tokenId).toBe(token.id);
    });

    it("takes a role-bound token's scopes from the role as it is now", async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { hash } = await createToken(storage, seed, { roleId: seed.reader.id, scopes: ['ignored:x'] });
      const lookup = await storage.tokens.findByHashes([hash]);
      expect(lookup?.state.scopes).toEqual(['tokens:read', 'usage:read']);
      expect(lookup?.role).toEqual({ id: seed.reader.id, name: seed.reader.name });
      await storage.roles.update(seed.projectId, seed.reader.id, { scopes: ['billing:read'] }, tick());
      const state = (await storage.tokens.findByHashes([hash]))?.state;
      expect(state?.scopes).toEqual(['billing:read']);
      expect(state?.ownerScopes).toEqual(['billing:read']);
    });

    it('adds keyward:admin to an instance administrator', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const admin = await storage.users.create({
        ...seed.user,
        id: newId('user', tick()),
        email: `admin-${seed.user.email}`,
        instanceAdmin: true,
      });
      await storage.members.put({
        projectId: seed.projectId,
        userId: admin.id,
        roleId: seed.owner.id,
        createdAt: tick(),
      });
      const { hash } = await createToken(storage, seed, { ownerId: admin.id });
      expect((await storage.tokens.findByHashes([hash]))?.state.ownerScopes).toEqual([
        '*:*',
        INSTANCE_ADMIN_SCOPE,
      ]);
    });

    it('reports a deactivated user or a removed membership as an inactive owner', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { hash } = await createToken(storage, seed);
      await storage.users.update(seed.user.id, { active: false }, tick());
      expect((await storage.tokens.findByHashes([hash]))?.state.ownerActive).toBe(false);
      await storage.users.update(seed.user.id, { active: true }, tick());
      expect((await storage.tokens.findByHashes([hash]))?.state.ownerActive).toBe(true);
      await storage.members.remove(seed.projectId, seed.user.id);
      const state = (await storage.tokens.findByHashes([hash]))?.state;
      expect(state?.ownerActive).toBe(false);
      expect(state?.ownerScopes).toEqual([]);
    });

    it("gives a service account token its account's role scopes, limits and activity", async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { token, hash } = await createToken(storage, seed, {
        ownerType: 'service_account',
        ownerId: seed.sa.id,
      });
      const lookup = await storage.tokens.findByHashes([hash]);
      expect(lookup?.state).toMatchObject({
        tokenId: token.id,
        ownerType: 'service_account',
        ownerId: seed.sa.id,
        ownerScopes: ['*:*'],
        ownerActive: true,
      });
      expect(lookup?.rateLimits.owner).toEqual([{ limit: 5, windowSeconds: 1 }]);
      await storage.serviceAccounts.update(seed.projectId, seed.sa.id, { roleId: seed.reader.id }, tick());
      expect((await storage.tokens.findByHashes([hash]))?.state.ownerScopes).toEqual([
        'tokens:read',
        'usage:read',
      ]);
      await storage.serviceAccounts.update(seed.projectId, seed.sa.id, { active: false }, tick());
      expect((await storage.tokens.findByHashes([hash]))?.state.ownerActive).toBe(false);
    });

    it('reflects revocation and disabling', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { token, hash } = await createToken(storage, seed);
      const at = tick();
      await storage.tokens.setDisabled(seed.projectId, token.id, true, at);
      expect((await storage.tokens.findByHashes([hash]))?.state.disabledAt).toBe(at);
      await storage.tokens.revoke(seed.projectId, token.id, null, at + 1);
      expect((await storage.tokens.findByHashes([hash]))?.state.revokedAt).toBe(at + 1);
    });
  });
}
