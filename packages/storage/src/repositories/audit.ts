import { type AuditRecord, createChainWalk, newId, type ProjectId } from '@keyward/core';
import type { Selectable } from 'kysely';
import { fromJson, toJson } from '../json.ts';
import { checkLimit, decodeCursor, toPage } from '../paging.ts';
import type { AuditEventsTable } from '../schema.ts';
import { type Db, inTransaction } from '../transaction.ts';
import type { AuditChange, AuditEvent, AuditRepository } from '../types.ts';

const HEAD_ID = 1;
const VERIFY_BATCH = 500;

function toAuditEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    seq: Number(row.seq),
    id: row.id,
    occurredAt: Number(row.occurred_at),
    actorType: row.actor_type,
    actorId: row.actor_id,
    viaTokenId: row.via_token_id,
    projectId: row.project_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
    userAgent: row.user_agent,
    changes: row.changes === null ? null : fromJson<Record<string, AuditChange>>(row.changes),
    count: Number(row.count),
    keyVersion: row.key_version === null ? null : Number(row.key_version),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The exported form of an event without its `hash`: what its MAC covers (ADR 0008). */
export function toAuditRecord(e: Omit<AuditEvent, 'hash'>): AuditRecord {
  return {
    seq: e.seq,
    id: e.id,
    occurred_at: new Date(e.occurredAt).toISOString(),
    actor: { type: e.actorType, id: e.actorId, via_token_id: e.viaTokenId },
    project_id: e.projectId,
    action: e.action,
    target: { type: e.targetType, id: e.targetId },
    ip: e.ip,
    user_agent: e.userAgent,
    changes: e.changes,
    count: e.count,
    key_version: e.keyVersion,
    prev_hash: e.prevHash,
  };
}

export function createAuditRepository(db: Db): AuditRepository {
  return {
    append(input, now, keys) {
      return inTransaction(db, async (trx) => {
        // Bumping the head first takes its row lock (PostgreSQL) or the write lock (SQLite, begun
        // immediate), so concurrent appends, even from other processes, serialize here.
        const head = await trx
          .updateTable('audit_chain_head')
          .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
          .where('id', '=', HEAD_ID)
          .returning(['last_seq', 'last_hash'])
          .executeTakeFirstOrThrow();
        // Stored as JSON text, so hash what reading it back will give.
        const changesJson = input.changes === null ? null : toJson(input.changes);
        const unhashed: Omit<AuditEvent, 'hash'> = {
          actorType: input.actorType,
          actorId: input.actorId,
          viaTokenId: input.viaTokenId,
          projectId: input.projectId,
          action: input.action,
          targetType: input.targetType,
          targetId: input.targetId,
          ip: input.ip,
          userAgent: input.userAgent,
          changes: changesJson === null ? null : fromJson<Record<string, AuditChange>>(changesJson),
          count: input.count ?? 1,
          seq: Number(head.last_seq),
          id: newId('event', now),
          occurredAt: now,
          keyVersion: keys.currentVersion,
          prevHash: head.last_hash,
        };
        const mac = keys.eventMac(toAuditRecord(unhashed));
        if (mac === null) throw new Error('the current audit key is missing');
        const event: AuditEvent = { ...unhashed, hash: mac };
        await trx
          .insertInto('audit_events')
          .values({
            seq: event.seq,
            id: event.id,
            occurred_at: event.occurredAt,
            actor_type: event.actorType,
            actor_id: event.actorId,
            via_token_id: event.viaTokenId,
            project_id: event.projectId,
            action: event.action,
            target_type: event.targetType,
            target_id: event.targetId,
            ip: event.ip,
            user_agent: event.userAgent,
            changes: changesJson,
            count: event.count,
            key_version: event.keyVersion,
            prev_hash: event.prevHash,
            hash: event.hash,
          })
          .execute();
        await trx
          .updateTable('audit_chain_head')
          .set({ last_hash: event.hash })
          .where('id', '=', HEAD_ID)
          .execute();
        return event;
      });
    },

    async list(filter, page) {
      const limit = checkLimit(page);
      const after = decodeCursor(page.cursor, (key) => /^[1-9][0-9]{0,15}$/.test(key));
      const { projectId, actorId, action, targetId, from, to } = filter;
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .$if(after !== null, (q) => q.where('seq', '<', Number(after)))
        .$if(projectId !== undefined, (q) =>
          projectId === null
            ? q.where('project_id', 'is', null)
            : q.where('project_id', '=', projectId as ProjectId),
        )
        .$if(actorId !== undefined, (q) => q.where('actor_id', '=', actorId!))
        .$if(action !== undefined, (q) => q.where('action', '=', action!))
        .$if(targetId !== undefined, (q) => q.where('target_id', '=', targetId!))
        .$if(from !== undefined, (q) => q.where('occurred_at', '>=', from!))
        .$if(to !== undefined, (q) => q.where('occurred_at', '<', to!))
        .orderBy('seq', 'desc')
        .limit(limit + 1)
        .execute();
      // Events page by chain position, which is their order of commitment.
      return toPage(rows.map(toAuditEvent), limit, (e) => String(e.seq));
    },

    async head() {
      const head = await db
        .selectFrom('audit_chain_head')
        .select(['last_seq', 'last_hash'])
        .where('id', '=', HEAD_ID)
        .executeTakeFirstOrThrow();
      return { seq: Number(head.last_seq), hash: head.last_hash };
    },

    async verifyChain(keys, checkpoints = []) {
      const walk = createChainWalk(keys, checkpoints);
      let lastSeq = 0;
      for (;;) {
        const rows = await db
          .selectFrom('audit_events')
          .selectAll()
          .where('seq', '>', lastSeq)
          .orderBy('seq')
          .limit(VERIFY_BATCH)
          .execute();
        let intact = true;
        for (const row of rows) {
          const { hash, ...unhashed } = toAuditEvent(row);
          intact = walk.next(toAuditRecord(unhashed), hash);
          if (!intact) break;
          lastSeq = unhashed.seq;
        }
        if (!intact || rows.length < VERIFY_BATCH) break;
      }
      // A chain cut short at its end still links up; the head and the checkpoints remember how far it reached.
      return walk.finish(await this.head());
    },
  };
}
