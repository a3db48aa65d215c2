import type { Kysely, Migration } from 'kysely';

/**
 * Invitations to join a project. The code is stored only as a keyed hash (like a token's secret);
 * a deleted role or project takes its invitations with it.
 */
export const invitations: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('invitations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('email_normalized', 'text', (c) => c.notNull())
      .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id').onDelete('cascade'))
      .addColumn('code_hash', 'text', (c) => c.notNull().unique())
      .addColumn('hash_version', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('failed_attempts', 'integer', (c) => c.notNull())
      .addColumn('redeemed_at', 'bigint')
      .addColumn('redeemed_by', 'text')
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('invitations_project_idx')
      .on('invitations')
      .columns(['project_id', 'email_normalized'])
      .execute();
    await db.schema.createIndex('invitations_role_idx').on('invitations').column('role_id').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('invitations').execute();
  },
};
