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

/** Applies every pending migration; returns the names applied, in order. */
export async function migrateToLatest(storage: Storage): Promise<string[]> {
  const migrator = migratorFor(storage, await migrationSchema(storage));
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    if (error instanceof KeywardError && error.code === 'DATABASE_UNAVAILABLE') throw error;
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`database migration ${failed ?? '(setup)'} failed: ${reason}`, { cause: error });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
