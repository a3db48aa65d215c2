import { type Kysely, type Migration, PostgresAdapter } from 'kysely';

/**
 * The change log every node catches up from (ADR 0007): one row per change that affects
 * verification, written in the transaction that makes the change, numbered by a sequence that
 * only grows. `cluster_nodes` is each node's heartbeat, so a node knows how many share the load
 * (its share of a rate limit while Redis is away).
 */
export const cacheChanges: Migration = {
  async up(db: Kysely<unknown>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema
      .createTable('cache_changes')
      .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) =>
        postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('project_id', 'text')
      .addColumn('change', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('cache_changes_created_idx')
      .on('cache_changes')
      .column('created_at')
      .execute();
    await db.schema
      .createTable('cluster_nodes')
      .addColumn('node_id', 'text', (c) => c.primaryKey())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      // 1 while the node decides rate limits alone (Redis unreachable from it).
      .addColumn('fallback', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('cluster_nodes').execute();
    await db.schema.dropTable('cache_changes').execute();
  },
};
