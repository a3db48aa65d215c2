import { createHash, randomBytes } from 'node:crypto';
import { canonicalize, createAuditKeys, AUDIT_GENESIS as GENESIS_HASH, newId } from '@keyward/core';
import { describe, expect, it } from 'vitest';
import { toAuditRecord } from '../src/index.ts';
import type { AuditEventInput } from '../src/types.ts';
import type { HarnessContext } from './contract.ts';
import { expectCode, tick } from './fixtures.ts';

function event(overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    actorType: 'user',
    actorId: 'usr_actor',
    viaTokenId: null,
    projectId: null,
    action: 'token.create',
    targetType: 'token',
    targetId: null,
    ip: '127.0.0.1',
    userAgent: 'vitest',
    changes: { scopes: { before: ['a:b'], after: ['a:b', 'c:d'] }, name: { after: 'x' } },
    ...overrides,
  };
}

const keys = createAuditKeys({ current: { version: 2, key: randomBytes(32) }, previous: [] });
const head = (seq: number) => ({ head: { seq, hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });

async function emptyChain(raw: (sql: string) => Promise<unknown>) {
  await raw('delete from audit_events');
  await raw(`update audit_chain_head set last_seq = 0, last_hash = '${GENESIS_HASH}'`);
}

/** Tests in this block run in order: the chain grows, is checked, tampered with and restored. */
export function auditContract(ctx: HarnessContext): void {
  describe('audit chain', () => {
    it('links each appended event to the one before, starting from the genesis hash', async () => {
      const { storage } = ctx();
      const first = await storage.audit.append(event(), tick(), keys);
      const second = await storage.audit.append(event({ action: 'token.revoke' }), tick(), keys);
      expect(first.seq).toBeGreaterThanOrEqual(1);
      if (first.seq === 1) expect(first.prevHash).toBe(GENESIS_HASH);
      expect(second.seq).toBe(first.seq + 1);
      expect(second.prevHash).toBe(first.hash);
      expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(first.changes).toEqual(event().changes);
      expect(await storage.audit.verifyChain(keys)).toEqual({
        ok: true,
        count: second.seq,
        head: { seq: second.seq, hash: second.hash },
      });
      expect(second.keyVersion).toBe(2);
      expect(second.count).toBe(1);
    });

    it('lists newest first with filters and a cursor', async () => {
      const { storage } = ctx();
      const projectId = newId('project');
      const start = tick();
      const appended = [];
      for (let i = 0; i < 5; i++) {
        appended.push(
          await storage.audit.append(
            event({ projectId, action: i % 2 === 0 ? 'role.update' : 'token.create', targetId: `t${i}` }),
            tick(),
            keys,
          ),
        );
      }
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await storage.audit.list({ projectId }, { limit: 2, cursor });
        seen.push(...page.items.map((e) => e.seq));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null);
      expect(pages).toBe(3);
      expect(seen).toEqual(appended.map((e) => e.seq).reverse());
      const roleUpdates = await storage.audit.list({ projectId, action: 'role.update' }, { limit: 10 });
      expect(roleUpdates.items.map((e) => e.targetId)).toEqual(['t4', 't2', 't0']);
      const byTarget = await storage.audit.list({ targetId: 't1', projectId }, { limit: 10 });
      expect(byTarget.items).toEqual([appended[1]]);
      const window = await storage.audit.list(
        { projectId, from: appended[1]!.occurredAt, to: appended[3]!.occurredAt },
        { limit: 10 },
      );
      expect(window.items.map((e) => e.targetId)).toEqual(['t2', 't1']);
      expect(
        (await storage.audit.list({ projectId, from: start, actorId: 'nobody' }, { limit: 10 })).items,
      ).toEqual([]);
      await expectCode(storage.audit.list({}, { limit: 2, cursor: 'MA' }), 'INVALID_CURSOR');
    });

    it('keeps a valid chain under 50 concurrent appends', async () => {
      const { storage } = ctx();
      const before = await storage.audit.verifyChain(keys);
      const events = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          storage.audit.append(event({ targetId: `c${i}` }), tick(), keys),
        ),
      );
      expect(new Set(events.map((e) => e.seq)).size).toBe(50);
      expect(await storage.audit.verifyChain(keys)).toEqual({
        ok: true,
        count: before.count + 50,
        ...head(before.count + 50),
      });
    });

    it('reports the first tampered event and recovers once the row is restored', async () => {
      const { storage, raw } = ctx();
      const target = await storage.audit.append(event({ action: 'original' }), tick(), keys);
      await storage.audit.append(event(), tick(), keys);
      await raw(`update audit_events set action = 'forged' where seq = ${target.seq}`);
      const broken = await storage.audit.verifyChain(keys);
      expect(broken).toMatchObject({
        ok: false,
        count: target.seq - 1,
        brokenAt: target.seq,
        reason: 'mac_mismatch',
      });
      await raw(`update audit_events set action = 'original' where seq = ${target.seq}`);
      expect((await storage.audit.verifyChain(keys)).ok).toBe(true);
    });

    it('notices an event removed from the end of the chain', async () => {
      const { storage, raw } = ctx();
      const last = await storage.audit.append(event(), tick(), keys);
      await raw(`delete from audit_events where seq = ${last.seq}`);
      expect(await storage.audit.verifyChain(keys)).toMatchObject({
        ok: false,
        count: last.seq - 1,
        brokenAt: last.seq,
        reason: 'head_mismatch',
      });
    });

    it('refuses an event rewritten with a plain SHA-256 over its canonical form', async () => {
      const { storage, raw } = ctx();
      await emptyChain(raw);
      await storage.audit.append(event(), tick(), keys);
      const last = await storage.audit.append(event({ action: 'original' }), tick(), keys);
      const forged = toAuditRecord({ ...last, action: 'forged' });
      const hash = createHash('sha256').update(canonicalize(forged)).digest('hex');
      await raw(`update audit_events set action = 'forged', hash = '${hash}' where seq = ${last.seq}`);
      await raw(`update audit_chain_head set last_hash = '${hash}'`);
      expect(await storage.audit.verifyChain(keys)).toMatchObject({
        ok: false,
        brokenAt: last.seq,
        reason: 'mac_mismatch',
      });
    });

    it('catches a chain cut short against a checkpoint, even with the head rewritten to match', async () => {
      const { storage, raw } = ctx();
      await emptyChain(raw);
      await storage.audit.append(event(), tick(), keys);
      const kept = await storage.audit.append(event(), tick(), keys);
      const cut = await storage.audit.append(event({ action: 'cut' }), tick(), keys);
      const checkpoint = { seq: cut.seq, head: cut.hash };
      expect((await storage.audit.verifyChain(keys, [checkpoint])).ok).toBe(true);
      await raw(`delete from audit_events where seq = ${cut.seq}`);
      await raw(`update audit_chain_head set last_seq = ${kept.seq}, last_hash = '${kept.hash}'`);
      expect((await storage.audit.verifyChain(keys)).ok).toBe(true);
      expect(await storage.audit.verifyChain(keys, [checkpoint])).toMatchObject({
        ok: false,
        brokenAt: cut.seq,
        reason: 'truncated',
      });
      // Rewound and grown again past the checkpoint: the event at its seq is not the pinned one.
      await storage.audit.append(event({ action: 'replacement' }), tick(), keys);
      expect(await storage.audit.verifyChain(keys, [checkpoint])).toMatchObject({
        ok: false,
        brokenAt: cut.seq,
        reason: 'checkpoint_mismatch',
      });
    });

    it('does not verify under another key', async () => {
      const { storage } = ctx();
      const other = createAuditKeys({ current: { version: 2, key: randomBytes(32) }, previous: [] });
      expect((await storage.audit.verifyChain(other)).ok).toBe(false);
    });
  });
}
