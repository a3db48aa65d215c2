import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, PG_URL, sessionHeaders, startHarness } from './harness.ts';

/** Every text cell of every table in the SQLite file. */
function sqliteCells(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    return tables.flatMap(({ name }) =>
      (db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]).flatMap((row) =>
        Object.values(row).map(String),
      ),
    );
  } finally {
    db.close();
  }
}

/** Every cell of every table in the harness's PostgreSQL schema, as text. */
async function postgresCells(schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const tables = await client.query(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    expect(tables.rows.length).toBeGreaterThan(5);
    const cells: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await client.query(`SELECT * FROM "${schema}"."${table_name}"`);
      for (const row of rows.rows) cells.push(...Object.values(row).map(String));
    }
    return cells;
  } finally {
    await client.end();
  }
}

describe.each(['sqlite', 'postgres'] as const)('no plaintext secret at rest or in logs (%s)', (database) => {
  let h: Harness;
  const logLines: string[] = [];
  const secrets: string[] = [];
  const pasted: Awaited<ReturnType<typeof call>>[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    h = await startHarness({ database, logger: pino({ level: 'trace' }, sink) });
    secrets.push(h.adminToken);
    // Issue tokens every way there is, use them, fail with them, rotate and revoke some.
    const created = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'ci',
      scopes: ['jobs:read'],
    });
    const generated = await call(h.app, 'POST', '/admin/generate-token', h.adminToken, { created_by: 'bot' });
    const personal = await call(h.app, 'POST', '/v1/me/api-key', h.adminToken);
    const rotated = await call(h.app, 'POST', `/v1/tokens/${created.body.id}/rotate`, h.adminToken, {
      grace_period_seconds: 60,
    });
    const role = await call(h.app, 'POST', '/v1/roles', h.adminToken, {
      name: 'client',
      scopes: ['jobs:read'],
    });
    const imported = 'test_client_key_16_chars';
    await call(h.app, 'POST', '/v1/tokens/import', h.adminToken, {
      keys: [{ key: imported, name: 'legacy', role_id: role.body.id }],
    });
    secrets.push(created.body.token, generated.body.token, personal.body.token, rotated.body.token, imported);
    for (const token of secrets) {
      await call(h.app, 'GET', '/v1/me', token);
      await call(h.app, 'GET', '/v1/audit', token);
    }
    await call(h.app, 'POST', `/v1/tokens/${created.body.id}/revoke`, h.adminToken, { reason: 'test' });
    await call(h.app, 'GET', '/v1/me', rotated.body.token);
    await call(h.app, 'GET', `/v1/me?token=${generated.body.token}`, null);
    // Pasted into the path (refused as TOKEN_IN_URL, each refusal stored and logged).
    const randomLegacy = 'sk_live_4eC39HqLyjWDarjtT1zdp7dcQ8Rm';
    await call(h.app, 'POST', '/v1/tokens/import', h.adminToken, {
      keys: [{ key: randomLegacy, name: 'random legacy', role_id: role.body.id }],
    });
    secrets.push(randomLegacy);
    for (const token of [generated.body.token, personal.body.token, randomLegacy]) {
      pasted.push(
        await call(h.app, 'GET', `/v1/tokens/${token}`, h.adminToken),
        await call(h.app, 'GET', `/v1/me/${token}`, null),
        await call(h.app, 'POST', `/v1/tokens/${token}/rotate`, h.adminToken),
        await call(h.app, 'GET', `/no-such-route/${encodeURIComponent(token)}`, null),
        await call(h.app, 'GET', `/v1/tokens/${token}/%zz`, h.adminToken),
      );
    }
    const session = await sessionHeaders(h);
    secrets.push(session.cookie.split('=')[1] ?? '');
    await call(h.app, 'GET', '/v1/auth/session', null, undefined, session);
    expect(secrets.every((s) => s.length >= 16)).toBe(true);
  });
  afterAll(() => h.close());

  test('no table cell contains any issued secret', async () => {
    const cells =
      database === 'sqlite' ? sqliteCells(`${h.dataDir}/keyward.db`) : await postgresCells(h.schema ?? '');
    expect(cells.length).toBeGreaterThan(50);
    for (const secret of secrets) expect(cells.filter((c) => c.includes(secret))).toEqual([]);
  });

  test('a token pasted into the path is refused and stored with that segment redacted', async () => {
    expect(pasted.length).toBe(15);
    for (const res of pasted) {
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('TOKEN_IN_URL');
      const record = await h.storage.errors.get(res.body.error_id);
      expect(record?.path).toContain('[redacted]');
    }
  });

  test('no log line contains any issued secret, and the log did record the requests', () => {
    expect(logLines.length).toBeGreaterThan(20);
    const log = logLines.join('');
    for (const secret of secrets) expect(log.includes(secret)).toBe(false);
  });
});
