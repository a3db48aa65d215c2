import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { instrumentDialect, type StatementCounter } from './instrumented-dialect.ts';
import { createPgNotifications } from './pg-notifications.ts';
import { createPgRateLimitWindows } from './pg-rate-limit-windows.ts';
import { type PendingChange, writeChanges } from './repositories/cache-changes.ts';
import { createRepositories } from './repositories/index.ts';
import type { Database } from './schema.ts';
import type { Db } from './transaction.ts';
import type { CacheChangeRecord, Storage } from './types.ts';

export type StorageOptions =
  | {
      kind: 'sqlite';
      /** A file path, or ':memory:'. */
      path: string;
      /** How long a write waits for another process's lock before DATABASE_UNAVAILABLE; 5000 by default. */
      busyTimeoutMs?: number;
    }
  | {
      kind: 'postgres';
      url: string /** Created by the migrations when missing. */;
      schema?: string;
      poolSize?: number;
    };

export type StorageInternals = { db: Db; schema: string | null };

/** What migrations need and the Storage contract does not expose. */
export const storageInternals = new WeakMap<Storage, StorageInternals>();

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const INT8_OID = 20;
const BUSY_TIMEOUT_MS = 5000;

function openSqlite(path: string, busyTimeoutMs: number): SqliteDatabase.Database {
  const inMemory = path === ':memory:';
  // The data directory holds the database and the pepper: only its owner may enter it.
  if (!inMemory) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new SqliteDatabase(path, { timeout: busyTimeoutMs });
  if (!inMemory) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  db.pragma('foreign_keys = ON');
  return db;
}

// Times and counts are BIGINT; per pool (not the global pg.types) they come back as numbers.
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function postgresPool(url: string, schema: string | undefined, poolSize: number | undefined): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize ?? 10,
    connectionTimeoutMillis: BUSY_TIMEOUT_MS,
    types: pgTypes,
    ...(schema !== undefined && { options: `-c search_path=${schema}` }),
  });
  // An idle client losing its server emits 'error' on the pool; unhandled, it would end the process.
  // The next query fails instead and is reported as DATABASE_UNAVAILABLE.
  pool.on('error', () => {});
  // A checked-out client between two queries has no pool listener; give each one its own.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Opens storage lazily: nothing connects until the first statement (or `ping`). */
export function createStorage(options: StorageOptions): Storage {
  const counter: StatementCounter = { count: 0 };
  let db: Db;
  // The change-log poll and heartbeats run on their own small pool: a pool saturated by requests
  // must not delay them past the trust window (that would send every verification to the database).
  let background: Db | null = null;
  let poolStats: Storage['poolStats'] = () => null;
  if (options.kind === 'sqlite') {
    db = new Kysely<Database>({
      dialect: instrumentDialect(
        new SqliteDialect({
          database: async () => openSqlite(options.path, options.busyTimeoutMs ?? BUSY_TIMEOUT_MS),
        }),
        {
          beginStatement: 'begin immediate',
          counter,
        },
      ),
    });
  } else {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new Error(`invalid PostgreSQL schema name: ${options.schema}`);
    }
    const pool = postgresPool(options.url, options.schema, options.poolSize);
    poolStats = () => ({
      max: pool.options.max ?? 10,
      open: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    });
    db = new Kysely<Database>({
      dialect: instrumentDialect(new PostgresDialect({ pool }), { beginStatement: 'begin', counter }),
    });
    background = new Kysely<Database>({
      dialect: instrumentDialect(
        new PostgresDialect({ pool: postgresPool(options.url, options.schema, 2) }),
        {
          beginStatement: 'begin',
          counter,
        },
      ),
    });
  }

  const listeners: ((records: CacheChangeRecord[]) => void)[] = [];
  const announce = (records: CacheChangeRecord[]) => {
    for (const listener of listeners) listener(records);
  };
  const storage: Storage = {
    ...createRepositories(db, { pending: null, announce, background: background ?? db }),
    dialect: options.kind,
    // The repositories given to `fn` must be used instead of the storage's own while it runs:
    // SQLite has one connection, held by the transaction.
    // Changes recorded in the transaction are written as its last statements and announced once
    // it has committed (a rolled-back change is never announced).
    async transaction(fn) {
      let written: CacheChangeRecord[] = [];
      const result = await db.transaction().execute(async (trx) => {
        const pending: PendingChange[] = [];
        const value = await fn(createRepositories(trx, { pending, announce, background: background ?? db }));
        if (pending.length > 0) written = await writeChanges(trx, pending);
        return value;
      });
      if (written.length > 0) announce(written);
      return result;
    },
    onCacheChanges(listener) {
      listeners.push(listener);
    },
    notifications:
      options.kind === 'postgres' ? createPgNotifications(db, options.url, options.schema) : null,
    rateLimitWindows: options.kind === 'postgres' ? createPgRateLimitWindows(db) : null,
    statementCount: () => counter.count,
    async ping() {
      // `select 1` never touches an SQLite file; reading its schema does (a lock or a bad file fails it).
      await (options.kind === 'sqlite' ? sql`select count(*) from sqlite_master` : sql`select 1`).execute(db);
    },
    poolStats: () => poolStats(),
    async close() {
      await background?.destroy();
      await db.destroy();
    },
  };
  storageInternals.set(storage, {
    db,
    schema: options.kind === 'postgres' ? (options.schema ?? null) : null,
  });
  return storage;
}

/** PostgreSQL for `postgres://` URLs; otherwise the default single SQLite file in the data directory. */
/** Where DATABASE_URL (or, when empty, the data directory's SQLite file) points. */
export function databaseLocation(
  url: string | undefined,
  dataDir: string,
): { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string } {
  const value = url?.trim() ?? '';
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', url: value };
  if (value === '') return { kind: 'sqlite', path: join(dataDir, 'keyward.db') };
  const file = /^(?:sqlite|file):(.+)$/i.exec(value)?.[1];
  if (file !== undefined) return { kind: 'sqlite', path: file };
  throw new Error('DATABASE_URL must start with postgres://, postgresql://, sqlite: or file:');
}

export function storageFromUrl(url: string | undefined, dataDir: string): Storage {
  return createStorage(databaseLocation(url, dataDir));
}
