import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { call } from '../../server/test/harness.ts';
import { createRole, parseJson, useCli } from './helpers.ts';

const CLIENT = ['test_client_key_16_chars', 'client_dev_key_1_valid', 'client_dev_key_2_valid'];
const MINER = ['test_key_16_characters_long_minimum', 'miner_dev_key_1_valid', 'miner_dev_key_2_valid'];
const ADMIN = ['test_admin_key_16_chars_min', 'admin_dev_key_1_valid'];
const ALL = [...CLIENT, ...MINER, ...ADMIN];

const ROLE_SCOPES = {
  client: ['errors:read', 'jobs:submit'],
  miner: ['jobs:claim', 'jobs:report'],
  admin: ['audit:read', 'tokens:read'],
};

type ImportReport = {
  dry_run: boolean;
  counts: Record<string, number>;
  imported: { source: string; role: string; token_id: string; hint: string }[];
  skipped: { source: string; reason: string }[];
};

const fx = useCli({
  adminEnv: true,
  prepare: async (server) => {
    for (const [name, scopes] of Object.entries(ROLE_SCOPES)) await createRole(server, name, scopes);
  },
});
const { cli } = fx;
const MAPS = ['--map', 'CLIENT=client', '--map', 'MINER=miner', '--map', 'ADMIN=admin'];

function envFile(name: string, content: string): string {
  const path = join(fx.home, name);
  writeFileSync(path, content);
  return path;
}

async function importedCount(): Promise<number> {
  const res = await call(
    fx.server.h.app,
    'GET',
    '/v1/tokens?kind=imported&limit=200',
    fx.server.h.adminToken,
  );
  return (res.body.data as unknown[]).length;
}

describe('tokens import --from-env-file', () => {
  it('refuses the whole file when a key is too short, naming it but never echoing it', async () => {
    const path = envFile(
      'short.env',
      `CLIENT_API_KEYS=["${CLIENT[0]}","tiny_key_12c"]\nMINER_API_KEYS=["${MINER[0]}"]\nADMIN_API_KEYS=["${ADMIN[0]}"]\n`,
    );
    const res = await cli(['tokens', 'import', '--from-env-file', path, ...MAPS]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('CLIENT_API_KEYS[1] (line 1): shorter than 16 characters (12 characters)');
    expect(res.stderr).toMatch(/nothing imported/);
    expect(`${res.stdout}${res.stderr}`).not.toContain('tiny_key_12c');
    expect(await importedCount()).toBe(0);

    const unmapped = await cli(['tokens', 'import', '--from-env-file', path, '--map', 'CLIENT=client']);
    expect(unmapped.code).toBe(2);
    expect(unmapped.stderr).toMatch(/MINER_API_KEYS, ADMIN_API_KEYS without a --map/);
  });

  it('imports a seed-shaped env file: every key works with X-Api-Key with its role, none is stored in plaintext', async () => {
    const path = envFile(
      'coordinator.env',
      [
        'APP_ENV=dev',
        'DATABASE_URL=sqlite:///./aitbc_coordinator.db',
        `CLIENT_API_KEYS=["${CLIENT[0]}","${CLIENT[1]}"] # dev keys`,
        `export MINER_API_KEYS=['${MINER[0]}', '${MINER[1]}',`,
        `  '${MINER[2]}']`,
        `ADMIN_API_KEYS=${ADMIN[0]},${ADMIN[1]}`,
        `CLIENT_EXTRA=${CLIENT[2]}`,
        '',
      ].join('\n'),
    );
    const res = await cli(['tokens', 'import', '--from-env-file', path, ...MAPS, '--json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const report = parseJson<ImportReport>(res.stdout);
    expect(report.counts).toEqual({ client: 2, miner: 3, admin: 2 });
    expect(report.imported).toHaveLength(7);
    expect(report.imported.map((i) => i.source)).toContain('MINER_API_KEYS[2] (line 4)');
    for (const entry of report.imported) {
      expect(entry.token_id).toMatch(/^tok_/);
      expect(entry.hint).toMatch(/^….{4}$/);
    }
    for (const key of ALL) expect(res.stdout).not.toContain(key);

    const roleOf: Record<string, keyof typeof ROLE_SCOPES> = {};
    for (const k of CLIENT.slice(0, 2)) roleOf[k] = 'client';
    for (const k of MINER) roleOf[k] = 'miner';
    for (const k of ADMIN) roleOf[k] = 'admin';
    for (const [key, role] of Object.entries(roleOf)) {
      const me = await call(fx.server.h.app, 'GET', '/v1/me', null, undefined, { 'x-api-key': key });
      expect(me.status, key).toBe(200);
      expect(me.body.scopes).toEqual(ROLE_SCOPES[role]);
    }
    const notImported = await call(fx.server.h.app, 'GET', '/v1/me', null, undefined, {
      'x-api-key': CLIENT[2] as string,
    });
    expect(notImported.status).toBe(401);

    // Human output of the same data (a dry run: importing twice would conflict).
    const human = await cli(['tokens', 'import', '--from-env-file', path, ...MAPS, '--dry-run']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Dry run: would import 7 key(s): 2 client, 3 miner, 2 admin');

    // Every text cell of every table, and the raw database files, hold none of the keys.
    await fx.server.h.deps.usage.flush();
    const dbPath = join(fx.server.h.dataDir, 'keyward.db');
    const db = new Database(dbPath, { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
        name: string;
      }[];
      expect(tables.length).toBeGreaterThan(3);
      let cells = 0;
      // The scan must see the token rows: their public hints are there, the keys are not.
      let sawHint = false;
      for (const { name } of tables) {
        for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
          for (const value of Object.values(row)) {
            const text =
              typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('latin1') : null;
            if (text === null) continue;
            cells++;
            if (text === `…${CLIENT[0]?.slice(-4)}`) sawHint = true;
            for (const key of ALL) expect(text.includes(key), `${name} holds a key`).toBe(false);
          }
        }
      }
      expect(cells).toBeGreaterThan(0);
      expect(sawHint).toBe(true);
    } finally {
      db.close();
    }
    for (const file of readdirSync(fx.server.h.dataDir).filter((f) => f.startsWith('keyward.db'))) {
      const raw = readFileSync(join(fx.server.h.dataDir, file)).toString('latin1');
      for (const key of ALL) expect(raw.includes(key), `${file} holds a key`).toBe(false);
    }
  });

  it('a re-run imports only the new keys and reports the ones already imported as skipped', async () => {
    const first = envFile('rerun.env', 'CLIENT_API_KEYS=["rerun_client_key_0001"]\n');
    expect((await cli(['tokens', 'import', '--from-env-file', first, '--map', 'CLIENT=client'])).code).toBe(
      0,
    );
    const grown = envFile('rerun.env', 'CLIENT_API_KEYS=["rerun_client_key_0001","rerun_client_key_0002"]\n');
    const res = await cli(['tokens', 'import', '--from-env-file', grown, '--map', 'CLIENT=client', '--json']);
    expect(res.code).toBe(0);
    const report = parseJson<ImportReport>(res.stdout);
    expect(report.counts).toEqual({ client: 1 });
    expect(report.imported.map((i) => i.source)).toEqual(['CLIENT_API_KEYS[1] (line 1)']);
    expect(report.skipped).toEqual([
      { source: 'CLIENT_API_KEYS[0] (line 1)', reason: expect.stringMatching(/^already imported as tok_/) },
    ]);
  });

  it('imports the valid keys with --skip-invalid and reports the skipped ones', async () => {
    const keep = 'skip_test_valid_key_0001';
    const path = envFile('mixed.env', `CLIENT_API_KEYS="${keep},short"\n`);
    const res = await cli([
      'tokens',
      'import',
      '--from-env-file',
      path,
      '--map',
      'CLIENT=client',
      '--skip-invalid',
      '--json',
    ]);
    expect(res.code).toBe(0);
    const report = parseJson<ImportReport>(res.stdout);
    expect(report.counts).toEqual({ client: 1 });
    expect(report.skipped).toEqual([
      { source: 'CLIENT_API_KEYS[1] (line 1)', reason: 'shorter than 16 characters' },
    ]);
    expect(res.stdout).not.toContain(keep);
  });
});
