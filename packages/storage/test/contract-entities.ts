import { newId } from '@keyward/core';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/index.ts';
import type { HarnessContext } from './contract.ts';
import { createToken, expectCode, randomHash, seedProject, tick } from './fixtures.ts';

export function entitiesContract(ctx: HarnessContext): void {
  describe('migrations and plumbing', () => {
    it('a second migration run applies nothing', async () => {
      expect(await migrateToLatest(ctx().storage)).toEqual([]);
    });

    it('counts every statement it executes', async () => {
      const { storage } = ctx();
      const before = storage.statementCount();
      await storage.projects.get(newId('project'));
      await storage.ping();
      expect(storage.statementCount()).toBe(before + 2);
    });

    it('commits a transaction and rolls one back when it throws', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const kept = await storage.transaction(async (tx) => {
        await tx.projects.update(seed.projectId, { name: 'renamed in tx' }, tick());
        return (await tx.projects.get(seed.projectId))?.name;
      });
      expect(kept).toBe('renamed in tx');
      await expect(
        storage.transaction(async (tx) => {
          await tx.projects.update(seed.projectId, { name: 'lost' }, tick());
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect((await storage.projects.get(seed.projectId))?.name).toBe('renamed in tx');
    });
  });

  describe('projects', () => {
    it('creates, reads, updates, counts and lists for a member', async () => {
      const { storage } = ctx();
      const countBefore = await storage.projects.count();
      const seed = await seedProject(storage);
      expect(await storage.projects.count()).toBe(countBefore + 1);
      const project = await storage.projects.get(seed.projectId);
      expect(project).toMatchObject({
        id: seed.projectId,
        tokenPrefix: 'kw',
        settings: { maxTokenLifetimeSeconds: null, defaultTokenLifetimeSeconds: null },
        rateLimits: [{ limit: 1000, windowSeconds: 60 }],
      });
      expect(project?.updatedAt).toBe(project?.createdAt);
      const now = tick();
      const updated = await storage.projects.update(
        seed.projectId,
        { name: 'Acme', settings: { maxTokenLifetimeSeconds: 3600, defaultTokenLifetimeSeconds: 60 } },
        now,
      );
      expect(updated).toMatchObject({
        name: 'Acme',
        updatedAt: now,
        rateLimits: [{ limit: 1000, windowSeconds: 60 }],
      });
      expect(updated?.settings.maxTokenLifetimeSeconds).toBe(3600);
      expect(await storage.projects.update(newId('project'), { name: 'x' }, now)).toBeNull();
      expect((await storage.projects.listForUser(seed.user.id)).map((p) => p.id)).toEqual([seed.projectId]);
    });

    it('pages newest first through every project', async () => {
      const { storage } = ctx();
      for (let i = 0; i < 3; i++) await seedProject(storage);
      const total = await storage.projects.count();
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await storage.projects.list({ limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((p) => p.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(seen).toHaveLength(total);
      expect([...seen].sort().reverse()).toEqual(seen);
    });

    it('rejects a cursor that is not one of its own', async () => {
      const { storage } = ctx();
      await expectCode(storage.projects.list({ limit: 2, cursor: 'not a cursor!' }), 'INVALID_CURSOR');
      const foreign = Buffer.from(newId('token')).toString('base64url');
      await expectCode(storage.projects.list({ limit: 2, cursor: foreign }), 'INVALID_CURSOR');
    });
  });

  describe('users', () => {
    it('finds users by email case-insensitively and refuses a duplicate email', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      expect((await storage.users.getByEmail(seed.user.email.toUpperCase()))?.id).toBe(seed.user.id);
      expect(await storage.users.getByEmail('nobody@example.com')).toBeNull();
      await expectCode(
        storage.users.create({ ...seed.user, id: newId('user'), email: seed.user.email.toLowerCase() }),
        'CONFLICT',
      );
    });

    it('updates fields and keeps the others', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const now = tick();
      const updated = await storage.users.update(seed.user.id, { active: false, passwordHash: 'argon' }, now);
      expect(updated).toMatchObject({ active: false, passwordHash: 'argon', name: 'A User', updatedAt: now });
      expect((await storage.users.get(seed.user.id))?.instanceAdmin).toBe(false);
      expect(await storage.users.count()).toBeGreaterThan(0);
    });
  });

  describe('roles and memberships', () => {
    it('lists roles, updates scopes and refuses a duplicate name in a project', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      expect((await storage.roles.list(seed.projectId)).map((r) => r.name)).toEqual(['owner', 'reader']);
      expect((await storage.roles.getByName(seed.projectId, 'reader'))?.id).toBe(seed.reader.id);
      const updated = await storage.roles.update(seed.projectId, seed.reader.id, { scopes: ['x:y'] }, tick());
      expect(updated?.scopes).toEqual(['x:y']);
      expect(await storage.roles.get(newId('project'), seed.reader.id)).toBeNull();
      await expectCode(storage.roles.create({ ...seed.reader, id: newId('role') }), 'CONFLICT');
      const auditor = { ...seed.reader, name: 'auditor' };
      await storage.roles.create({ ...auditor, id: newId('role') });
      const other = await seedProject(storage);
      const sameName = await storage.roles.create({
        ...auditor,
        id: newId('role'),
        projectId: other.projectId,
      });
      expect(sameName).toMatchObject({ name: 'auditor', projectId: other.projectId });
    });

    it('deletes a role only when no member, service account or live token uses it', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      expect(await storage.roles.delete(seed.projectId, seed.reader.id)).toBe(false);
      await storage.members.put({
        ...(await storage.members.get(seed.projectId, seed.user.id))!,
        roleId: seed.owner.id,
      });
      const spare = await storage.roles.create({ ...seed.reader, id: newId('role'), name: 'spare' });
      const { token } = await createToken(storage, seed, { roleId: spare.id });
      expect(await storage.roles.delete(seed.projectId, spare.id)).toBe(false);
      await storage.tokens.revoke(seed.projectId, token.id, null, tick());
      expect(await storage.roles.delete(seed.projectId, spare.id)).toBe(true);
      expect(await storage.roles.get(seed.projectId, spare.id)).toBeNull();
      expect(await storage.roles.delete(seed.projectId, seed.reader.id)).toBe(true);
      expect(await storage.roles.delete(seed.projectId, seed.owner.id)).toBe(false);
    });

    it('puts, changes, lists and removes memberships', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const first = await storage.members.get(seed.projectId, seed.user.id);
      const changed = await storage.members.put({
        projectId: seed.projectId,
        userId: seed.user.id,
        roleId: seed.owner.id,
        createdAt: tick(),
      });
      expect(changed).toEqual({ ...first, roleId: seed.owner.id });
      const members = await storage.members.list(seed.projectId);
      expect(members).toEqual([
        { ...changed, email: seed.user.email, name: 'A User', active: true, roleName: 'owner' },
      ]);
      expect(await storage.members.remove(seed.projectId, seed.user.id)).toBe(true);
      expect(await storage.members.remove(seed.projectId, seed.user.id)).toBe(false);
      expect(await storage.members.list(seed.projectId)).toEqual([]);
      expect(await storage.projects.listForUser(seed.user.id)).toEqual([]);
    });
  });

  describe('service accounts', () => {
    it('creates, lists and updates within a project', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      expect(await storage.serviceAccounts.get(seed.projectId, seed.sa.id)).toEqual(seed.sa);
      expect(await storage.serviceAccounts.list(seed.projectId)).toEqual([seed.sa]);
      const other = await seedProject(storage);
      expect(await storage.serviceAccounts.get(other.projectId, seed.sa.id)).toBeNull();
      const now = tick();
      const updated = await storage.serviceAccounts.update(
        seed.projectId,
        seed.sa.id,
        { active: false, roleId: seed.reader.id, rateLimits: [] },
        now,
      );
      expect(updated).toMatchObject({
        active: false,
        roleId: seed.reader.id,
        rateLimits: [],
        updatedAt: now,
      });
      expect(
        await storage.serviceAccounts.update(other.projectId, seed.sa.id, { name: 'x' }, now),
      ).toBeNull();
    });
  });

  describe('error records', () => {
    it('stores, reads and purges records older than a time', async () => {
      const { storage } = ctx();
      const old = tick();
      const record = (createdAt: number) => ({
        id: newId('error', createdAt),
        createdAt,
        requestId: 'req_1',
        status: 503,
        code: 'DATABASE_UNAVAILABLE',
        title: 'The database is unavailable',
        detail: 'down',
        method: 'GET',
        path: '/v1/tokens',
        tokenId: null,
        projectId: null,
        userId: null,
        context: { attempt: 2, nested: { ok: false } },
        count: 1,
        lastSeenAt: createdAt,
      });
      const a = record(old);
      const b = record(tick() + 10_000);
      await storage.errors.create(a);
      await storage.errors.create(b);
      expect(await storage.errors.get(a.id)).toEqual(a);
      expect(await storage.errors.purge(old + 1)).toBeGreaterThanOrEqual(1);
      expect(await storage.errors.get(a.id)).toBeNull();
      expect(await storage.errors.get(b.id)).toEqual(b);
    });

    it('counts occurrences on a shared record', async () => {
      const { storage } = ctx();
      const at = tick();
      const id = newId('error', at);
      const before = await storage.errors.count();
      await storage.errors.create({
        id,
        createdAt: at,
        requestId: 'req_1',
        status: 429,
        code: 'RATE_LIMITED',
        title: 'Too many requests',
        detail: 'limit',
        method: 'GET',
        path: '/v1/authorize',
        tokenId: null,
        projectId: null,
        userId: null,
        context: {},
        count: 3,
        lastSeenAt: at,
      });
      await storage.errors.addOccurrences([{ id, count: 4, lastSeenAt: at + 500 }]);
      await storage.errors.addOccurrences([{ id, count: 2, lastSeenAt: at + 900 }]);
      expect(await storage.errors.get(id)).toMatchObject({ count: 9, lastSeenAt: at + 900, createdAt: at });
      expect(await storage.errors.count()).toBe(before + 1);
    });
  });

  describe('sessions', () => {
    it('creates, finds by secret hash, deletes and purges expired sessions', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const now = tick();
      const session = (expiresAt: number) => ({
        id: newId('session', tick()),
        secretHash: randomHash(),
        csrfToken: randomHash(),
        userId: seed.user.id,
        createdAt: now,
        expiresAt,
      });
      const live = session(now + 60_000);
      const stale = session(now - 1);
      const other = session(now + 60_000);
      for (const s of [live, stale, other]) await storage.sessions.create(s);
      expect(await storage.sessions.getBySecretHash(live.secretHash)).toEqual(live);
      await expectCode(storage.sessions.create({ ...live, id: newId('session') }), 'CONFLICT');
      expect(await storage.sessions.purgeExpired(now)).toBeGreaterThanOrEqual(1);
      expect(await storage.sessions.getBySecretHash(stale.secretHash)).toBeNull();
      await storage.sessions.delete(live.id);
      expect(await storage.sessions.getBySecretHash(live.secretHash)).toBeNull();
      expect(await storage.sessions.getBySecretHash(other.secretHash)).not.toBeNull();
      await storage.sessions.deleteForUser(seed.user.id);
      expect(await storage.sessions.getBySecretHash(other.secretHash)).toBeNull();
    });
  });
}
