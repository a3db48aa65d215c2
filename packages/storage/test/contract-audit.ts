import { newId } from '@keyward/core';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../src/index.ts';
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

/** Tests in this block run in order: the chain grows, is checked, tampered with and restored. */
export function auditContract(ctx: HarnessContext): void {
  describe('audit chain', () => {
    it('links each appended event to the one before, starting from the genesis hash', async () => {
      const { storage } = ctx();
      const first = await storage.audit.append(event(), tick());
      const second = await storage.audit.append(event({ action: 'token.revoke' }), tick());
      expect(first.seq).toBeGreaterThanOrEqual(1);
      if (first.seq === 1) expect(first.prevHash).toBe(GENESIS_HASH);
      expect(second.seq).toBe(first.seq + 1);
      expect(second.prevHash).toBe(first.hash);
      expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(first.changes).toEqual(event().changes);
      expect(await storage.audit.verifyChain()).toEqual({ ok: true, count: second.seq });
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
      const before = await storage.audit.verifyChain();
      const events = await Promise.all(
        Array.from({ length: 50 }, (_, i) => storage.audit.append(event({ targetId: `c${i}` }), tick())),
      );
      expect(new Set(events.map((e) => e.seq)).size).toBe(50);
      expect(await storage.audit.verifyChain()).toEqual({ ok: true, count: before.count + 50 });
    });

    it('reports the first tampered event and recovers once the row is restored', async () => {
      const { storage, raw } = ctx();
      const target = await storage.audit.append(event({ action: 'original' }), tick());
      await storage.audit.append(event(), tick());
      await raw(`update audit_events set action = 'forged' where seq = ${target.seq}`);
      const broken = await storage.audit.verifyChain();
      expect(broken).toEqual({ ok: false, count: target.seq - 1, brokenAt: target.seq });
      await raw(`update audit_events set action = 'original' where seq = ${target.seq}`);
      expect((await storage.audit.verifyChain()).ok).toBe(true);
    });

    it('notices an event removed from the end of the chain', async () => {
      const { storage, raw } = ctx();
      const last = await storage.audit.append(event(), tick());
      await raw(`delete from audit_events where seq = ${last.seq}`);
      expect(await storage.audit.verifyChain()).toEqual({
        ok: false,
        count: last.seq - 1,
        brokenAt: last.seq,
      });
    });
  });
}
