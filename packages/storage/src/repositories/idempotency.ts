import type { TokenId } from '@keyward/core';
import type { Selectable } from 'kysely';
import { fromJson, toJson } from '../json.ts';
import type { IdempotencyKeysTable } from '../schema.ts';
import type { Db } from '../transaction.ts';
import type { IdempotencyRecord, IdempotencyRepository } from '../types.ts';

function toRecord(row: Selectable<IdempotencyKeysTable>): IdempotencyRecord {
  return {
    projectId: row.project_id,
    actorId: row.actor_id,
    key: row.key,
    requestHash: row.request_hash,
    status: Number(row.status),
    tokenIds: fromJson<TokenId[]>(row.token_ids),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

export function createIdempotencyRepository(db: Db): IdempotencyRepository {
  return {
    async claim(record) {
      // An expired record frees its key; a live one (or one a concurrent transaction holds) keeps it.
      await db
        .deleteFrom('idempotency_keys')
        .where('project_id', '=', record.projectId)
        .where('actor_id', '=', record.actorId)
        .where('key', '=', record.key)
        .where('expires_at', '<=', record.createdAt)
        .execute();
      const inserted = await db
        .insertInto('idempotency_keys')
        .values({
          project_id: record.projectId,
          actor_id: record.actorId,
          key: record.key,
          request_hash: record.requestHash,
          status: record.status,
          token_ids: toJson(record.tokenIds),
          created_at: record.createdAt,
          expires_at: record.expiresAt,
        })
        .onConflict((oc) => oc.columns(['project_id', 'actor_id', 'key']).doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async complete(record) {
      await db
        .updateTable('idempotency_keys')
        .set({ status: record.status, token_ids: toJson(record.tokenIds), expires_at: record.expiresAt })
        .where('project_id', '=', record.projectId)
        .where('actor_id', '=', record.actorId)
        .where('key', '=', record.key)
        .execute();
    },

    async release(projectId, actorId, key) {
      await db
        .deleteFrom('idempotency_keys')
        .where('project_id', '=', projectId)
        .where('actor_id', '=', actorId)
        .where('key', '=', key)
        .where('status', '=', 0)
        .execute();
    },

    async get(projectId, actorId, key, now) {
      const row = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('actor_id', '=', actorId)
        .where('key', '=', key)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async purge(before) {
      const result = await db
        .deleteFrom('idempotency_keys')
        .where('expires_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
