import type { Kysely, Migration } from 'kysely';

/**
 * Shared rate-limit windows (ADR 0016): one row per key and policy, counted in the database so a
 * restarted node or Redis forgets nothing. Nodes no longer decide limits alone while Redis is
 * away, so the heartbeat's `fallback` flag goes.
 */
export const rateLimitWindows: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('rate_limit_windows')
      .addColumn('key', 'text', (c) => c.primaryKey())
      // The database's clock (ms): every node sees the same window, whatever its own clock says.
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('window_ms', 'bigint', (c) => c.notNull())
      .addColumn('limit_units', 'bigint', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addColumn('granted', 'bigint', (c) => c.notNull())
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('cluster_nodes').dropColumn('fallback').execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema
      .alterTable('cluster_nodes')
      .addColumn('fallback', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.dropTable('rate_limit_windows').execute();
  },
};
