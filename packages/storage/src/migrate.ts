import { KeywardError } from '@keyward/core';
import { Migrator, sql } from 'kysely';
import { storageInternals } from './create-storage.ts';
import { migrationProvider } from './migrations/index.ts';
import type { Storage } from './types.ts';

function migratorFor(storage: Storage, migrationTableSchema: string | undefined): Migrator {
  const internals = storageInternals.get(storage);
  if (internals === undefined) throw new Error('migrations need a Storage made by createStorage');
  return new Migrator({ db: internals.db, provider: migrationProvider, migrationTableSchema });
}

/**
 * Kysely looks for its bookkeeping tables in every PostgreSQL schema unless told one, so name it:
 * the configured schema (created when missing) or the connection's current one.
 */
async function migrationSchema(storage: Storage): Promise<string | undefined> {
  const internals = storageInternals.get(storage);
  if (storage.dialect !== 'postgres' || internals === undefined) return undefined;
  if (internals.schema !== null) return internals.schema;
  const { rows } = await sql<{ name: string | null }>`select current_schema() as name`.execute(internals.db);
  return rows[0]?.name ?? 'public';
}

/**
 * Kysely's migrator lists the tables of every schema on the server (with `pg_get_serial_sequence`
 * per column) before it changes anything; a schema another client drops during that listing fails
 * it with 3F000 naming that other schema. Nothing was changed then, so the listing is tried again.
 */
function anotherSchemaVanished(error: unknown, own: string | undefined): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '3F000' && typeof message === 'string' && !message.includes(`"${own}"`);
}

/** Applies every pending migration; returns the names applied, in order. */
export async function migrateToLatest(storage: Storage): Promise<string[]> {
  const schema = await migrationSchema(storage);
  const migrator = migratorFor(storage, schema);
  let { error, results = [] } = await migrator.migrateToLatest();
  for (let attempt = 1; attempt < 10 && anotherSchemaVanished(error, schema); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
    ({ error, results = [] } = await migrator.migrateToLatest());
  }
  if (error !== undefined) {
    if (error instanceof KeywardError && error.code === 'DATABASE_UNAVAILABLE') throw error;
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`database migration ${failed ?? '(setup)'} failed: ${reason}`, { cause: error });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
