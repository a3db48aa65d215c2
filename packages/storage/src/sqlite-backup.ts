import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';

export type BackupResult = { path: string; pages: number; migration: string | null };

/** Kysely's bookkeeping table: present in every database Keyward migrated. */
const MIGRATIONS_TABLE = 'kysely_migration';
/** The newest migration a Keyward database holds, or null if it is not one. */
function newestMigration(db: SqliteDatabase.Database): string | null {
  const table = db
    .prepare("select 1 from sqlite_master where type = 'table' and name = ?")
    .get(MIGRATIONS_TABLE);
  if (table === undefined) return null;
  const row = db.prepare(`select name from ${MIGRATIONS_TABLE} order by name desc limit 1`).get() as
    | { name: string }
    | undefined;
  return row?.name ?? null;
}

/**
 * Writes `write(partial)` beside `destination` and renames it into place, so that a reader never
 * sees half a file. Returns the page count of the result.
 */
async function writeAtomically(destination: string, write: (partial: string) => void): Promise<number> {
  await mkdir(dirname(destination), { recursive: true, mode: 0o700 });
  const partial = `${destination}.partial-${process.pid}`;
  try {
    write(partial);
    const copy = new SqliteDatabase(partial, { readonly: true });
    const pages = Number(copy.pragma('page_count', { simple: true }));
    copy.close();
    renameSync(partial, destination);
    return pages;
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * A consistent copy of the live database at `databasePath`, taken while it serves: `VACUUM INTO`
 * reads one snapshot in a single read transaction, which WAL lets the server's writes run beside.
 * (The page-stepping backup API restarts whenever another process writes between two steps, so
 * under steady writes it may never finish.)
 */
export async function backupSqlite(databasePath: string, destination: string): Promise<BackupResult> {
  if (!existsSync(databasePath)) throw new Error(`no database at ${databasePath}`);
  if (existsSync(destination)) throw new Error(`${destination} exists; choose a new file`);
  const source = new SqliteDatabase(databasePath, { fileMustExist: true, timeout: 5000 });
  try {
    const migration = newestMigration(source);
    if (migration === null) throw new Error(`${databasePath} is not a Keyward database`);
    const pages = await writeAtomically(destination, (partial) => {
      source.prepare('vacuum into ?').run(partial);
    });
    return { path: destination, pages, migration };
  } finally {
    source.close();
  }
}

/**
 * Puts a backup in place as the database at `databasePath`, after checking that it is an intact
 * Keyward database. Refuses to replace an existing database unless `force` (stop the server first).
 */
export async function restoreSqlite(
  backupPath: string,
  databasePath: string,
  options: { force?: boolean } = {},
): Promise<BackupResult> {
  const backup = new SqliteDatabase(backupPath, { fileMustExist: true, readonly: true });
  try {
    const integrity = backup.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`${backupPath} is damaged: ${String(integrity)}`);
    const migration = newestMigration(backup);
    if (migration === null) throw new Error(`${backupPath} is not a Keyward database`);
    if (existsSync(databasePath) && !options.force)
      throw new Error(`a database exists at ${databasePath}; stop the server and pass --force to replace it`);
    // A replaced database's write-ahead log belongs to the old file and must not be replayed onto the new one.
    for (const suffix of ['-wal', '-shm']) rmSync(`${databasePath}${suffix}`, { force: true });
    const pages = await writeAtomically(databasePath, (partial) => copyFileSync(backupPath, partial));
    return { path: databasePath, pages, migration };
  } finally {
    backup.close();
  }
}
