import type { Kysely, Migration } from 'kysely';

/**
 * Per-token controls: an address allowlist (CIDRs, JSON) and metadata (a JSON object returned on
 * verify), and the idempotency keys of token creation. A key row holds a keyed hash of the request
 * and the ids of the tokens it made, never a secret.
 */
export const tokenControls: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('tokens')
      .addColumn('allowed_ips', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema
      .alterTable('tokens')
      .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema
      .createTable('idempotency_keys')
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('token_ids', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['project_id', 'actor_id', 'key'])
      .execute();
    await db.schema
      .createIndex('idempotency_keys_expires_idx')
      .on('idempotency_keys')
      .column('expires_at')
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('idempotency_keys').execute();
    await db.schema.alterTable('tokens').dropColumn('metadata').execute();
    await db.schema.alterTable('tokens').dropColumn('allowed_ips').execute();
  },
};
