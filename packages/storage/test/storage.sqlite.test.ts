import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorage, MIGRATIONS, migrateToLatest, storageFromUrl } from '../src/index.ts';
import { describeStorageContract } from './contract.ts';
import { expectCode } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'keyward-storage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStorageContract('sqlite', async () => {
  const path = join(dir, 'contract.db');
  const storage = createStorage({ kind: 'sqlite', path });
  return {
    storage,
    async raw(statement) {
      const db = new Database(path);
      try {
        db.exec(statement);
      } finally {
        db.close();
      }
    },
    dispose: () => storage.close(),
  };
});

describe('sqlite specifics', () => {
  it('opens the file in WAL mode with foreign keys enforced', async () => {
    const path = join(dir, 'pragmas.db');
    const storage = createStorage({ kind: 'sqlite', path });
    await migrateToLatest(storage);
    await storage.close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('works in memory', async () => {
    const storage = createStorage({ kind: 'sqlite', path: ':memory:' });
    expect(await migrateToLatest(storage)).toEqual(Object.keys(MIGRATIONS));
    expect(await storage.projects.count()).toBe(0);
    await storage.close();
  });

  it('reports a database locked by another process past the busy timeout as unavailable', async () => {
    const path = join(dir, 'busy.db');
    const storage = createStorage({ kind: 'sqlite', path, busyTimeoutMs: 50 });
    await migrateToLatest(storage);
    const other = new Database(path);
    other.exec('begin immediate');
    try {
      await expectCode(storage.sessions.purgeExpired(Date.now()), 'DATABASE_UNAVAILABLE');
    } finally {
      other.exec('rollback');
      other.close();
    }
    expect(await storage.sessions.purgeExpired(Date.now())).toBe(0);
    await storage.close();
  });

  it('reports a database it cannot open as unavailable', async () => {
    const blocker = join(dir, 'not-a-dir');
    new Database(blocker).close();
    const storage = createStorage({ kind: 'sqlite', path: join(blocker, 'keyward.db') });
    await expectCode(storage.ping(), 'DATABASE_UNAVAILABLE');
    await storage.close();
  });

  it('chooses SQLite in the data directory unless given a PostgreSQL URL', async () => {
    const storage = storageFromUrl(undefined, join(dir, 'data'));
    expect(storage.dialect).toBe('sqlite');
    await storage.ping();
    await storage.close();
    expect(new Database(join(dir, 'data', 'keyward.db')).close().open).toBe(false);
    const postgres = storageFromUrl('postgresql://nobody@127.0.0.1:1/none', dir);
    expect(postgres.dialect).toBe('postgres');
    await postgres.close();
    expect(() => storageFromUrl('mysql://x', dir)).toThrow(/DATABASE_URL/);
  });
});
