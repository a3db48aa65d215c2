import type { ProjectId } from '@keyward/core';
import { newId } from '@keyward/core';
import type { Selectable } from 'kysely';
import { eventHash, GENESIS_HASH } from '../audit-hash.ts';
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
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Everything but the hash itself is covered, including the link to the previous event. */
function hashOf(e: Omit<AuditEvent, 'hash'>): string {
  return eventHash({
    seq: e.seq,
    id: e.id,
    occurredAt: e.occurredAt,
    actorType: e.actorType,
    actorId: e.actorId,
    viaTokenId: e.viaTokenId,
    projectId: e.projectId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    ip: e.ip,
    userAgent: e.userAgent,
    changes: e.changes,
    prevHash: e.prevHash,
  });
}

export function createAuditRepository(db: Db): AuditRepository {
  return {
    append(input, now) {
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
          seq: Number(head.last_seq),
          id: newId('event', now),
          occurredAt: now,
          prevHash: head.last_hash,
        };
        const event: AuditEvent = { ...unhashed, hash: hashOf(unhashed) };
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

    async verifyChain() {
      let count = 0;
      let prevHash = GENESIS_HASH;
      let lastSeq = 0;
      for (;;) {
        const rows = await db
          .selectFrom('audit_events')
          .selectAll()
          .where('seq', '>', lastSeq)
          .orderBy('seq')
          .limit(VERIFY_BATCH)
          .execute();
        for (const row of rows) {
          const event = toAuditEvent(row);
          const { hash, ...unhashed } = event;
          if (event.seq !== lastSeq + 1 || event.prevHash !== prevHash || hashOf(unhashed) !== hash) {
            return { ok: false, count, brokenAt: Math.min(event.seq, lastSeq + 1) };
          }
          count++;
          prevHash = hash;
          lastSeq = event.seq;
        }
        if (rows.length < VERIFY_BATCH) break;
      }
      // A chain cut short at its end still links up; the head remembers how far it reached.
      const head = await db
        .selectFrom('audit_chain_head')
        .select(['last_seq', 'last_hash'])
        .where('id', '=', HEAD_ID)
        .executeTakeFirstOrThrow();
      if (Number(head.last_seq) !== lastSeq || head.last_hash !== prevHash) {
        return { ok: false, count, brokenAt: lastSeq + 1 };
      }
      return { ok: true, count };
    },
  };
}
