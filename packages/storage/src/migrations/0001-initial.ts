import { AUDIT_GENESIS as GENESIS_HASH } from '@keyward/core';
import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The whole first schema, written once for SQLite and PostgreSQL: `bigint` has INTEGER affinity
 * on SQLite, booleans are 0/1 integers and JSON lives in text, so no statement branches on dialect.
 * The audit `seq` is assigned under the chain-head lock rather than by an identity column.
 */
export const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('projects')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_prefix', 'text', (c) => c.notNull())
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('rate_limits', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('email_normalized', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('instance_admin', 'integer', (c) => c.notNull())
      .addColumn('rate_limits', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('users_email_normalized_uq')
      .on('users')
      .column('email_normalized')
      .unique()
      .execute();

    await db.schema
      .createTable('roles')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('builtin', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('roles_project_name_uq')
      .on('roles')
      .columns(['project_id', 'name'])
      .unique()
      .execute();

    await db.schema
      .createTable('memberships')
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('memberships_pk', ['project_id', 'user_id'])
      .execute();
    await db.schema.createIndex('memberships_user_idx').on('memberships').column('user_id').execute();
    await db.schema.createIndex('memberships_role_idx').on('memberships').column('role_id').execute();

    await db.schema
      .createTable('service_accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id'))
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('rate_limits', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('service_accounts_project_idx')
      .on('service_accounts')
      .column('project_id')
      .execute();
    await db.schema
      .createIndex('service_accounts_role_idx')
      .on('service_accounts')
      .column('role_id')
      .execute();

    await db.schema
      .createTable('tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('owner_type', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      // A deleted role leaves revoked tokens behind; live tokens keep a role from being deleted.
      .addColumn('role_id', 'text', (c) => c.references('roles.id').onDelete('set null'))
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('hint', 'text', (c) => c.notNull())
      .addColumn('rate_limits', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .addColumn('revoked_reason', 'text')
      .addColumn('disabled_at', 'bigint')
      .addColumn('last_rotated_at', 'bigint')
      .addColumn('last_used_at', 'bigint')
      .addColumn('last_used_ips', 'text', (c) => c.notNull())
      .addColumn('usage_count', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('tokens_project_id_idx').on('tokens').columns(['project_id', 'id']).execute();
    await db.schema.createIndex('tokens_owner_idx').on('tokens').column('owner_id').execute();
    await db.schema.createIndex('tokens_role_idx').on('tokens').column('role_id').execute();

    await db.schema
      .createTable('token_secrets')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('hash_version', 'integer', (c) => c.notNull())
      .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .execute();
    await db.schema.createIndex('token_secrets_token_idx').on('token_secrets').column('token_id').execute();

    await db.schema
      .createTable('token_usage')
      .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id').onDelete('cascade'))
      .addColumn('bucket_start', 'bigint', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('token_usage_pk', ['token_id', 'bucket_start', 'outcome'])
      .execute();

    await db.schema
      .createTable('audit_events')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('occurred_at', 'bigint', (c) => c.notNull())
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('via_token_id', 'text')
      .addColumn('project_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text')
      .addColumn('target_id', 'text')
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('changes', 'text')
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('audit_events_project_seq_idx')
      .on('audit_events')
      .columns(['project_id', 'seq'])
      .execute();
    await db.schema
      .createIndex('audit_events_occurred_idx')
      .on('audit_events')
      .column('occurred_at')
      .execute();

    await db.schema
      .createTable('audit_chain_head')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('last_seq', 'bigint', (c) => c.notNull())
      .addColumn('last_hash', 'text', (c) => c.notNull())
      .execute();
    await sql`insert into audit_chain_head (id, last_seq, last_hash) values (1, 0, ${GENESIS_HASH})`.execute(
      db,
    );

    await db.schema
      .createTable('error_records')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('token_id', 'text')
      .addColumn('project_id', 'text')
      .addColumn('context', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('error_records_created_idx')
      .on('error_records')
      .column('created_at')
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
    await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of [
      'sessions',
      'error_records',
      'audit_chain_head',
      'audit_events',
      'token_usage',
      'token_secrets',
      'tokens',
      'service_accounts',
      'memberships',
      'roles',
      'users',
      'projects',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
