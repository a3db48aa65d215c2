import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Token status that tells the truth:
 * - `usage_count` counted refused attempts with admitted ones; it becomes `admitted_count` and
 *   `refused_count`, split from the hourly usage buckets (kept for the token's life, so exact).
 * - `rotated_secrets` keeps the hash of a secret a rotation ended, so it answers ROTATED (not
 *   unknown) until the error retention window has passed.
 */
export const status: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('tokens')
      .addColumn('admitted_count', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('tokens')
      .addColumn('refused_count', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await sql`update tokens set refused_count = coalesce((select sum(u.count) from token_usage u
      where u.token_id = tokens.id and u.outcome <> 'VALID'), 0)`.execute(db);
    await sql`update tokens set admitted_count = case when usage_count > refused_count
      then usage_count - refused_count else 0 end`.execute(db);
    await db.schema.alterTable('tokens').dropColumn('usage_count').execute();

    await db.schema
      .createTable('rotated_secrets')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('hash_version', 'integer', (c) => c.notNull())
      .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id').onDelete('cascade'))
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('rotated_secrets_token_idx')
      .on('rotated_secrets')
      .column('token_id')
      .execute();
    await db.schema
      .createIndex('rotated_secrets_expires_idx')
      .on('rotated_secrets')
      .column('expires_at')
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('rotated_secrets').execute();
    await db.schema
      .alterTable('tokens')
      .addColumn('usage_count', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await sql`update tokens set usage_count = admitted_count + refused_count`.execute(db);
    await db.schema.alterTable('tokens').dropColumn('refused_count').execute();
    await db.schema.alterTable('tokens').dropColumn('admitted_count').execute();
  },
};
