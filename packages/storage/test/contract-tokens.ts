import { newId } from '@keyward/core';
import { describe, expect, it } from 'vitest';
import type { Storage, Token, TokenFilter } from '../src/index.ts';
import type { HarnessContext } from './contract.ts';
import { createToken, expectCode, randomHash, type Seed, seedProject, tick } from './fixtures.ts';

async function listAll(storage: Storage, filter: TokenFilter, limit: number) {
  const pages: Token[][] = [];
  let cursor: string | null = null;
  do {
    const page = await storage.tokens.list(filter, { limit, cursor });
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return pages;
}

/** Seven active tokens plus one expired, one revoked, one disabled, one of a service account. */
async function seedTokens(storage: Storage, seed: Seed) {
  const now = tick();
  const active: Token[] = [];
  for (let i = 0; i < 7; i++) {
    active.push((await createToken(storage, seed, { name: i === 3 ? 'Deploy_100% Key' : `key ${i}` })).token);
  }
  const expired = (await createToken(storage, seed, { expiresAt: now - 1 })).token;
  const revoked = (await createToken(storage, seed)).token;
  await storage.tokens.revoke(seed.projectId, revoked.id, 'leaked', now);
  const disabled = (await createToken(storage, seed, { expiresAt: now + 3_600_000 })).token;
  await storage.tokens.setDisabled(seed.projectId, disabled.id, true, now);
  const robot = (
    await createToken(storage, seed, { ownerType: 'service_account', ownerId: seed.sa.id, kind: 'imported' })
  ).token;
  return { now, active, expired, revoked, disabled, robot };
}

export function tokensContract(ctx: HarnessContext): void {
  describe('tokens: create, read, list', () => {
    it('creates a token with its first secret and reads it back', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { token, hash } = await createToken(storage, seed, { scopes: ['a:b', 'c:*'], expiresAt: 123 });
      expect(token).toMatchObject({
        ownerType: 'user',
        ownerId: seed.user.id,
        scopes: ['a:b', 'c:*'],
        expiresAt: 123,
        revokedAt: null,
        disabledAt: null,
        lastUsedAt: null,
        lastUsedIps: [],
        admittedCount: 0,
        refusedCount: 0,
        ownerActive: true,
        roleName: null,
        updatedAt: token.createdAt,
      });
      expect(await storage.tokens.get(seed.projectId, token.id)).toEqual(token);
      expect(await storage.tokens.get((await seedProject(storage)).projectId, token.id)).toBeNull();
      expect(await storage.tokens.secretHashes(token.id)).toEqual([hash]);
    });

    it('creates nothing when the secret collides with an existing one', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { hash } = await createToken(storage, seed);
      const id = newId('token');
      await expectCode(
        storage.tokens.create(
          {
            ...(await storage.tokens.list({ projectId: seed.projectId, now: tick() }, { limit: 1 }))
              .items[0]!,
            id,
          },
          { hash, hashVersion: 1, createdAt: tick(), expiresAt: null },
        ),
        'CONFLICT',
      );
      expect(await storage.tokens.get(seed.projectId, id)).toBeNull();
    });

    it('pages newest first through more than two pages without losing a token', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { active, expired, revoked, disabled, robot } = await seedTokens(storage, seed);
      const pages = await listAll(storage, { projectId: seed.projectId, now: tick() }, 3);
      expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 2]);
      const ids = pages.flat().map((t) => t.id);
      const all = [...active, expired, revoked, disabled, robot].map((t) => t.id);
      expect(ids).toEqual([...all].reverse());
    });

    it('filters by status, owner, kind, role and name', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { now, active, expired, revoked, disabled, robot } = await seedTokens(storage, seed);
      const ids = async (filter: Omit<TokenFilter, 'projectId' | 'now'>) =>
        (await listAll(storage, { projectId: seed.projectId, now, ...filter }, 2))
          .flat()
          .map((t) => t.id)
          .sort();
      const sorted = (tokens: Token[]) => tokens.map((t) => t.id).sort();
      expect(await ids({ status: 'active' })).toEqual(sorted([...active, robot]));
      expect(await ids({ status: 'expired' })).toEqual([expired.id]);
      expect(await ids({ status: 'revoked' })).toEqual([revoked.id]);
      expect(await ids({ status: 'disabled' })).toEqual([disabled.id]);
      expect(await ids({ ownerType: 'service_account' })).toEqual([robot.id]);
      expect(await ids({ ownerId: seed.sa.id })).toEqual([robot.id]);
      expect(await ids({ kind: 'imported' })).toEqual([robot.id]);
      expect(await ids({ search: 'deploy_100%' })).toEqual([active[3]!.id]);
      // Unescaped, `_` would match any character (every 'token 1…' name).
      expect(await ids({ search: '_1' })).toEqual([active[3]!.id]);
      const roleBound = (await createToken(storage, seed, { roleId: seed.reader.id })).token;
      expect(await ids({ roleId: seed.reader.id })).toEqual([roleBound.id]);
      // Expiry is judged at the filter's `now`.
      expect(await ids({ status: 'expired', ownerType: 'user' })).toEqual([expired.id]);
      const later = (
        await listAll(storage, { projectId: seed.projectId, now: now + 7_200_000, status: 'expired' }, 5)
      )
        .flat()
        .map((t) => t.id)
        .sort();
      expect(later).toEqual([expired.id, disabled.id].sort());
    });

    it('rejects an invalid cursor', async () => {
      const { storage } = ctx();
      const filter = { projectId: newId('project'), now: tick() };
      await expectCode(storage.tokens.list(filter, { limit: 5, cursor: '%%%' }), 'INVALID_CURSOR');
      await expectCode(
        storage.tokens.list(filter, { limit: 5, cursor: Buffer.from('tok_bad').toString('base64url') }),
        'INVALID_CURSOR',
      );
    });
  });

  describe('tokens: changes', () => {
    it('updates fields and reports a missing token as null', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { token } = await createToken(storage, seed);
      const now = tick();
      const updated = await storage.tokens.update(
        seed.projectId,
        token.id,
        { name: 'renamed', roleId: seed.reader.id, expiresAt: now + 1000 },
        now,
      );
      expect(updated).toMatchObject({
        name: 'renamed',
        roleId: seed.reader.id,
        expiresAt: now + 1000,
        updatedAt: now,
      });
      const cleared = await storage.tokens.update(
        seed.projectId,
        token.id,
        { roleId: null, expiresAt: null },
        now,
      );
      expect(cleared).toMatchObject({ roleId: null, expiresAt: null, name: 'renamed' });
      expect(await storage.tokens.update(seed.projectId, newId('token'), { name: 'x' }, now)).toBeNull();
    });

    it('revokes once: a second revoke changes nothing', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { token } = await createToken(storage, seed);
      const first = tick();
      const revoked = await storage.tokens.revoke(seed.projectId, token.id, 'leaked', first);
      expect(revoked).toMatchObject({ revokedAt: first, revokedReason: 'leaked' });
      expect(await storage.tokens.revoke(seed.projectId, token.id, 'again', tick())).toBeNull();
      expect(await storage.tokens.get(seed.projectId, token.id)).toMatchObject({
        revokedAt: first,
        revokedReason: 'leaked',
      });
      expect(await storage.tokens.setDisabled(seed.projectId, token.id, true, tick())).toBeNull();
      expect(await storage.tokens.secretHashes(token.id)).toHaveLength(1);
    });

    it('disables and re-enables a live token', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { token } = await createToken(storage, seed);
      const at = tick();
      expect((await storage.tokens.setDisabled(seed.projectId, token.id, true, at))?.disabledAt).toBe(at);
      expect((await storage.tokens.setDisabled(seed.projectId, token.id, true, tick()))?.disabledAt).toBe(at);
      expect(
        (await storage.tokens.setDisabled(seed.projectId, token.id, false, tick()))?.disabledAt,
      ).toBeNull();
    });

    it('revokes every live token of an owner, or of the whole project', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const mine = [(await createToken(storage, seed)).token, (await createToken(storage, seed)).token];
      const robot = (await createToken(storage, seed, { ownerType: 'service_account', ownerId: seed.sa.id }))
        .token;
      await storage.tokens.revoke(seed.projectId, mine[0]!.id, null, tick());
      expect(await storage.tokens.idsByOwner(seed.user.id)).toEqual([mine[1]!.id]);
      expect(await storage.tokens.revokeByOwner(seed.projectId, seed.user.id, 'left', tick())).toEqual([
        mine[1]!.id,
      ]);
      expect(await storage.tokens.idsByOwner(seed.user.id)).toEqual([]);
      expect(await storage.tokens.revokeByOwner(seed.projectId, seed.projectId, 'closed', tick())).toEqual([
        robot.id,
      ]);
    });

    it('finds the ids whose rights come from a role, directly or through their owner', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const direct = (
        await createToken(storage, seed, {
          ownerType: 'service_account',
          ownerId: seed.sa.id,
          roleId: seed.reader.id,
        })
      ).token;
      const viaMember = (await createToken(storage, seed)).token;
      const viaAccount = (
        await createToken(storage, seed, { ownerType: 'service_account', ownerId: seed.sa.id })
      ).token;
      const revoked = (await createToken(storage, seed, { roleId: seed.reader.id })).token;
      await storage.tokens.revoke(seed.projectId, revoked.id, null, tick());
      expect((await storage.tokens.idsByRole(seed.projectId, seed.reader.id)).sort()).toEqual(
        [direct.id, viaMember.id].sort(),
      );
      expect((await storage.tokens.idsByRole(seed.projectId, seed.owner.id)).sort()).toEqual(
        [direct.id, viaAccount.id].sort(),
      );
    });

    it('finds the personal key and knows whether imported keys exist', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      expect(await storage.tokens.findPersonal(seed.projectId, seed.user.id)).toBeNull();
      const old = (await createToken(storage, seed, { kind: 'personal' })).token;
      await storage.tokens.revoke(seed.projectId, old.id, null, tick());
      expect(await storage.tokens.findPersonal(seed.projectId, seed.user.id)).toBeNull();
      const personal = (await createToken(storage, seed, { kind: 'personal' })).token;
      expect((await storage.tokens.findPersonal(seed.projectId, seed.user.id))?.id).toBe(personal.id);
      await createToken(storage, seed, { kind: 'imported' });
      expect(await storage.tokens.hasImported()).toBe(true);
    });
  });

  describe('tokens: rotation', () => {
    it('without grace replaces the secret outright', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { token, hash } = await createToken(storage, seed);
      const now = tick();
      const fresh = randomHash();
      const rotated = await storage.tokens.rotate(
        seed.projectId,
        token.id,
        { hash: fresh, hashVersion: 2, createdAt: now, expiresAt: null },
        now,
        'kw_…wxyz',
        now,
      );
      expect(rotated).toMatchObject({ hint: 'kw_…wxyz', lastRotatedAt: now, updatedAt: now });
      expect(await storage.tokens.secretHashes(token.id)).toEqual([fresh]);
      expect((await storage.tokens.findByHashes([fresh]))?.hashVersion).toBe(2);
      // The old secret's hash is kept, ended at the rotation, until the retention purge.
      expect((await storage.tokens.findByHashes([hash]))?.state).toMatchObject({
        tokenId: token.id,
        secretExpiresAt: now,
      });
      expect(await storage.tokens.purgeEndedSecrets(now)).toBe(0);
      expect(await storage.tokens.purgeEndedSecrets(now + 1)).toBe(1);
      expect(await storage.tokens.findByHashes([hash])).toBeNull();
      expect((await storage.tokens.findByHashes([fresh]))?.hashVersion).toBe(2);
    });

    it('with grace keeps old secrets until the grace ends, never extending an earlier end', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { token, hash: first } = await createToken(storage, seed);
      const now = tick();
      const second = randomHash();
      const secret = (hash: string) => ({ hash, hashVersion: 1, createdAt: now, expiresAt: null });
      await storage.tokens.rotate(seed.projectId, token.id, secret(second), now + 60_000, 'h2', now);
      expect((await storage.tokens.findByHashes([first]))?.state.secretExpiresAt).toBe(now + 60_000);
      expect((await storage.tokens.findByHashes([second]))?.state.secretExpiresAt).toBeNull();
      const third = randomHash();
      await storage.tokens.rotate(seed.projectId, token.id, secret(third), now + 120_000, 'h3', now);
      expect((await storage.tokens.findByHashes([first]))?.state.secretExpiresAt).toBe(now + 60_000);
      expect((await storage.tokens.findByHashes([second]))?.state.secretExpiresAt).toBe(now + 120_000);
      expect((await storage.tokens.secretHashes(token.id)).sort()).toEqual([first, second, third].sort());
    });

    it('refuses revoked, expired and missing tokens and leaves their secrets alone', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const now = tick();
      const revoked = await createToken(storage, seed);
      await storage.tokens.revoke(seed.projectId, revoked.token.id, null, now);
      const expired = await createToken(storage, seed, { expiresAt: now });
      for (const { token, hash } of [revoked, expired]) {
        const secret = { hash: randomHash(), hashVersion: 1, createdAt: now, expiresAt: null };
        expect(await storage.tokens.rotate(seed.projectId, token.id, secret, now, 'h', now)).toBeNull();
        expect(await storage.tokens.secretHashes(token.id)).toEqual([hash]);
        expect((await storage.tokens.get(seed.projectId, token.id))?.lastRotatedAt).toBeNull();
      }
      const secret = { hash: randomHash(), hashVersion: 1, createdAt: now, expiresAt: null };
      expect(await storage.tokens.rotate(seed.projectId, newId('token'), secret, now, 'h', now)).toBeNull();
      expect(await storage.tokens.findByHashes([secret.hash])).toBeNull();
    });

    it('joins an enclosing transaction and rolls back with it', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const { token, hash } = await createToken(storage, seed);
      const now = tick();
      const fresh = randomHash();
      await expect(
        storage.transaction(async (tx) => {
          const rotated = await tx.tokens.rotate(
            seed.projectId,
            token.id,
            { hash: fresh, hashVersion: 1, createdAt: now, expiresAt: null },
            now,
            'h',
            now,
          );
          expect(rotated?.hint).toBe('h');
          expect(await tx.tokens.secretHashes(token.id)).toEqual([fresh]);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await storage.tokens.secretHashes(token.id)).toEqual([hash]);
    });
  });

  describe('tokens: usage', () => {
    it('adds batched counts and keeps the newest last use', async () => {
      const { storage } = ctx();
      const seed = await seedProject(storage);
      const a = (await createToken(storage, seed)).token;
      const b = (await createToken(storage, seed)).token;
      const minute = 60_000;
      const t0 = Math.floor(tick() / minute) * minute;
      await storage.tokens.recordUsage(
        [
          { tokenId: a.id, at: t0 + 10, ips: ['10.0.0.1'] },
          { tokenId: a.id, at: t0 + 20, ips: ['10.0.0.2', '10.0.0.1'] },
          { tokenId: b.id, at: t0 + 5, ips: ['10.0.0.9'] },
        ],
        [
          { tokenId: a.id, bucketStart: t0, outcome: 'VALID', count: 3 },
          { tokenId: a.id, bucketStart: t0, outcome: 'VALID', count: 2 },
          { tokenId: a.id, bucketStart: t0, outcome: 'RATE_LIMITED', count: 1 },
          { tokenId: b.id, bucketStart: t0 + minute, outcome: 'VALID', count: 4 },
        ],
      );
      const before = storage.statementCount();
      await storage.tokens.recordUsage(
        [
          { tokenId: a.id, at: t0 + 15, ips: ['10.0.0.3'] },
          { tokenId: b.id, at: t0 + 30, ips: ['1', '2', '3', '4', '5', '6', '7'] },
        ],
        [
          { tokenId: a.id, bucketStart: t0, outcome: 'VALID', count: 10 },
          { tokenId: a.id, bucketStart: t0 + minute, outcome: 'VALID', count: 1 },
        ],
      );
      // begin, one multi-row upsert, one update of every token, commit
      expect(storage.statementCount() - before).toBe(4);

      expect(await storage.tokens.get(seed.projectId, a.id)).toMatchObject({
        admittedCount: 16,
        refusedCount: 1,
        lastUsedAt: t0 + 20,
        lastUsedIps: ['10.0.0.2', '10.0.0.1'],
      });
      expect(await storage.tokens.get(seed.projectId, b.id)).toMatchObject({
        admittedCount: 4,
        refusedCount: 0,
        lastUsedAt: t0 + 30,
        lastUsedIps: ['1', '2', '3', '4', '5'],
      });
      expect(await storage.tokens.usageSeries(a.id, t0, t0 + 2 * minute)).toEqual([
        { bucketStart: t0, outcome: 'RATE_LIMITED', count: 1 },
        { bucketStart: t0, outcome: 'VALID', count: 15 },
        { bucketStart: t0 + minute, outcome: 'VALID', count: 1 },
      ]);
      expect(await storage.tokens.usageSeries(a.id, t0 + minute, t0 + 2 * minute)).toHaveLength(1);
      expect(await storage.tokens.usageSeries(b.id, t0, t0 + minute)).toEqual([]);
    });

    it('does nothing for an empty batch', async () => {
      const { storage } = ctx();
      const before = storage.statementCount();
      await storage.tokens.recordUsage([], []);
      expect(storage.statementCount()).toBe(before);
    });
  });
}
