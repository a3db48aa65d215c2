import { type Selectable, sql } from 'kysely';
import { fromJson, toJson } from '../json.ts';
import type { ErrorRecordsTable } from '../schema.ts';
import type { Db } from '../transaction.ts';
import type { ErrorRecord, ErrorRecordRepository } from '../types.ts';

function toErrorRecord(row: Selectable<ErrorRecordsTable>): ErrorRecord {
  return {
    id: row.id,
    createdAt: Number(row.created_at),
    requestId: row.request_id,
    status: Number(row.status),
    code: row.code,
    title: row.title,
    detail: row.detail,
    method: row.method,
    path: row.path,
    tokenId: row.token_id,
    projectId: row.project_id,
    userId: row.user_id,
    context: fromJson<Record<string, unknown>>(row.context),
    count: Number(row.count),
    lastSeenAt: Number(row.last_seen_at ?? row.created_at),
  };
}

export function createErrorRecordRepository(db: Db): ErrorRecordRepository {
  return {
    async create(record) {
      await db
        .insertInto('error_records')
        .values({
          id: record.id,
          created_at: record.createdAt,
          request_id: record.requestId,
          status: record.status,
          code: record.code,
          title: record.title,
          detail: record.detail,
          method: record.method,
          path: record.path,
          token_id: record.tokenId,
          project_id: record.projectId,
          user_id: record.userId,
          context: toJson(record.context),
          count: record.count,
          last_seen_at: record.lastSeenAt,
        })
        .execute();
    },

    async addOccurrences(updates) {
      for (const { id, count, lastSeenAt } of updates) {
        await db
          .updateTable('error_records')
          .set({ count: sql<number>`count + ${count}`, last_seen_at: lastSeenAt })
          .where('id', '=', id)
          .execute();
      }
    },

    async count() {
      const row = await db
        .selectFrom('error_records')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async get(id) {
      const row = await db.selectFrom('error_records').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toErrorRecord(row) : null;
    },

    async purge(before) {
      const result = await db.deleteFrom('error_records').where('created_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
