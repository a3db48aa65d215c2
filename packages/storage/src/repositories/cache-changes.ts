import { PostgresAdapter, sql } from 'kysely';
import { UNCOUNTED } from '../instrumented-dialect.ts';
import { fromJson, toJson } from '../json.ts';
import type { Db } from '../transaction.ts';
import type { CacheChangeRecord, CacheChangeRepository, ClusterNodeRepository, Millis } from '../types.ts';

export type PendingChange = { change: Record<string, unknown>; projectId: string | null; at: Millis };

/** How a repository set reaches its transaction's change queue and the storage's announcer. */
export type ChangeContext = {
  /** Set inside a transaction: changes wait here until just before the commit. */
  pending: PendingChange[] | null;
  announce: (records: CacheChangeRecord[]) => void;
  /** Where background reads and heartbeats go (PostgreSQL: a pool of their own). */
  background: Db;
};

const uncounted = sql.raw(UNCOUNTED);

/**
 * Writes queued changes as the transaction's last statements. On PostgreSQL a transaction-scoped
 * advisory lock (per schema) makes writers take sequences one at a time until they commit, so a
 * reader that sees sequence n also sees every committed change before it: no gap to wait out.
 * SQLite has one writer at a time anyway.
 */
export async function writeChanges(trx: Db, pending: PendingChange[]): Promise<CacheChangeRecord[]> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(hashtext('keyward.cache_changes.' || current_schema()))`.execute(
      trx,
    );
  }
  const records: CacheChangeRecord[] = [];
  for (const { change, projectId, at } of pending) {
    const row = await trx
      .insertInto('cache_changes')
      .values({ project_id: projectId, change: toJson(change), created_at: at })
      .returning('seq')
      .executeTakeFirstOrThrow();
    records.push({ seq: Number(row.seq), projectId, change, createdAt: at });
  }
  return records;
}

type Row = { seq: number | string; project_id: string | null; change: string; created_at: number | string };

export function createCacheChangeRepository(db: Db, context: ChangeContext): CacheChangeRepository {
  const reader = context.background;
  return {
    async record(change, projectId, at) {
      if (context.pending) {
        context.pending.push({ change, projectId, at });
        return;
      }
      const records = await db.transaction().execute((trx) => writeChanges(trx, [{ change, projectId, at }]));
      context.announce(records);
    },

    async since(seq, limit) {
      const { rows } =
        await sql<Row>`${uncounted}select seq, project_id, change, created_at from cache_changes
        where seq > ${seq} order by seq limit ${limit}`.execute(reader);
      return rows.map((row) => ({
        seq: Number(row.seq),
        projectId: row.project_id,
        change: fromJson<Record<string, unknown>>(row.change),
        createdAt: Number(row.created_at),
      }));
    },

    async latest() {
      const { rows } = await sql<{ seq: number | string | null }>`${uncounted}select max(seq) as seq
        from cache_changes`.execute(reader);
      return Number(rows[0]?.seq ?? 0);
    },

    async prune(before) {
      const result = await db.deleteFrom('cache_changes').where('created_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export function createClusterNodeRepository(db: Db): ClusterNodeRepository {
  return {
    async heartbeat(nodeId, startedAt, at) {
      await sql`${uncounted}insert into cluster_nodes (node_id, started_at, last_seen_at)
        values (${nodeId}, ${startedAt}, ${at})
        on conflict (node_id) do update set last_seen_at = excluded.last_seen_at`.execute(db);
    },

    async countLive(since) {
      const { rows } = await sql<{ n: number | string }>`${uncounted}select count(*) as n
        from cluster_nodes where last_seen_at >= ${since}`.execute(db);
      return Number(rows[0]?.n ?? 0);
    },

    async remove(nodeId) {
      await sql`${uncounted}delete from cluster_nodes where node_id = ${nodeId}`.execute(db);
    },
  };
}
