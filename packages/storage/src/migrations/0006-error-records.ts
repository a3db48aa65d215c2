import type { Kysely, Migration } from 'kysely';

/**
 * Error records name the session user who received them (a console caller has no token), and one
 * record stands for a window of identical refusals: how many, and when the last one came.
 */
export const errorRecords: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('error_records').addColumn('user_id', 'text').execute();
    await db.schema
      .alterTable('error_records')
      .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.alterTable('error_records').addColumn('last_seen_at', 'bigint').execute();
  },

  async down(db: Kysely<unknown>) {
    for (const column of ['last_seen_at', 'count', 'user_id'])
      await db.schema.alterTable('error_records').dropColumn(column).execute();
  },
};
