/**
 * Bench databases: the administrator and the load-tested tokens go through the storage layer (so
 * their hashes are exactly what the server computes), then filler tokens are inserted with raw SQL
 * in one transaction (prepared statements, ~1M rows/10 s of inserts), each with a real secret's
 * HMAC under the same pepper, so the hash index is as large as with real tokens.
 */
import { join } from 'node:path';
import { generateToken, hashToken, newId, type PepperRing, type Scope, tokenHint } from '@keyward/core';
import { bootstrap, loadConfig, loadPepperRing } from '@keyward/server';
import { migrateToLatest, type RateLimitPolicy, storageFromUrl } from '@keyward/storage';
import Database from 'better-sqlite3';

export type SeededTokens = {
  /** api:read, no own limit (the default limits of the server apply). */
  gateway: string;
  /** api:read with an own per-token limit high enough never to refuse during the bench. */
  limited: string;
  /** tokens:verify: the provider API calling /v1/verify. */
  verifier: string;
  /** api:read with an own limit of one request a day: after its first check, every check is 429. */
  exhausted: string;
};

export function benchPepperRing(dataDir: string, pepperHex: string): PepperRing {
  return loadPepperRing(loadConfig({ KEYWARD_DATA_DIR: dataDir, KEYWARD_PEPPER: pepperHex }));
}

/** The administrator and the four load-tested tokens, in the database `databaseUrl` names (or SQLite). */
async function seedTokens(dataDir: string, pepperHex: string, databaseUrl?: string) {
  const peppers = benchPepperRing(dataDir, pepperHex);
  const storage = storageFromUrl(databaseUrl, dataDir);
  await migrateToLatest(storage);
  const now = Date.now();
  const boot = await bootstrap(storage, peppers, { email: 'bench@example.com', withToken: true }, now);
  const project = await storage.projects.get(boot.projectId);
  const prefix = project?.tokenPrefix ?? 'kw';

  async function issue(name: string, scopes: Scope[], rateLimits: RateLimitPolicy[] = []): Promise<string> {
    const secret = generateToken(prefix);
    const at = Date.now();
    await storage.tokens.create(
      {
        id: newId('token', at),
        projectId: boot.projectId,
        ownerType: 'user',
        ownerId: boot.userId,
        kind: 'standard',
        name,
        description: '',
        roleId: null,
        scopes,
        prefix,
        hint: tokenHint(secret),
        rateLimits,
        expiresAt: null,
        createdBy: boot.userId,
        createdAt: at,
      },
      {
        hash: hashToken(secret, peppers.current),
        hashVersion: peppers.current.version,
        createdAt: at,
        expiresAt: null,
      },
    );
    return secret;
  }

  const seeded: SeededTokens = {
    gateway: await issue('bench gateway', ['api:read']),
    limited: await issue('bench limited', ['api:read'], [{ limit: 1_000_000_000, windowSeconds: 60 }]),
    verifier: await issue('bench verifier', ['tokens:verify']),
    exhausted: await issue('bench exhausted', ['api:read'], [{ limit: 1, windowSeconds: 86_400 }]),
  };
  await storage.close();
  return { seeded, peppers, boot, prefix, now };
}

/** A PostgreSQL bench database (`databaseUrl`, its schema in the search path): the seeded tokens only. */
export async function seedPostgres(dataDir: string, pepperHex: string, databaseUrl: string) {
  return (await seedTokens(dataDir, pepperHex, databaseUrl)).seeded;
}

/** An SQLite bench database of `totalTokens` tokens. */
export async function seedDatabase(
  dataDir: string,
  pepperHex: string,
  totalTokens: number,
): Promise<SeededTokens> {
  const { seeded, peppers, boot, prefix, now } = await seedTokens(dataDir, pepperHex);

  const fillers = totalTokens - 5; // the admin token and the four above
  const db = new Database(join(dataDir, 'keyward.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insertToken = db.prepare(
    `insert into tokens (id, project_id, owner_type, owner_id, kind, name, description, role_id, scopes, prefix,
       hint, rate_limits, expires_at, revoked_at, revoked_reason, disabled_at, last_rotated_at, last_used_at,
       last_used_ips, admitted_count, refused_count, created_by, created_at, updated_at)
     values (?, ?, 'user', ?, 'standard', ?, '', null, '["api:read"]', ?, ?, '[]', null, null, null, null, null,
       null, '[]', 0, 0, ?, ?, ?)`,
  );
  const insertSecret = db.prepare(
    'insert into token_secrets (hash, hash_version, token_id, created_at, expires_at) values (?, ?, ?, ?, null)',
  );
  const insertAll = db.transaction(() => {
    for (let i = 0; i < fillers; i++) {
      const secret = generateToken(prefix);
      const id = newId('token', now - i);
      insertToken.run(
        id,
        boot.projectId,
        boot.userId,
        `filler ${i}`,
        prefix,
        tokenHint(secret),
        boot.userId,
        now,
        now,
      );
      insertSecret.run(hashToken(secret, peppers.current), peppers.current.version, id, now);
    }
  });
  insertAll();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const count = db.prepare('select count(*) as n from tokens').get() as { n: number };
  db.close();
  if (count.n !== totalTokens) throw new Error(`seeded ${count.n} tokens, wanted ${totalTokens}`);
  return seeded;
}
