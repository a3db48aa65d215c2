import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { call } from '../../server/test/harness.ts';
import { parseJson, useCli } from './helpers.ts';

type Report = { imported: { source: string; role: string; token_id: string }[] };
type Row = { name: string; scopes: string[] };

const fx = useCli({ adminEnv: true });
const { cli } = fx;
const envFile = (name: string, content: string) => {
  const path = join(fx.home, name);
  writeFileSync(path, content);
  return path;
};
const scopesOf = async (key: string) => {
  const me = await call(fx.server.h.app, 'GET', '/v1/me', null, undefined, { 'x-api-key': key });
  return me.status === 200 ? (me.body.scopes as string[]) : me.status;
};

describe('tokens import --create-roles', () => {
  it("imports seed 003's env file in one step, creating the missing roles", async () => {
    const keys = {
      CLIENT: ['client_seed_key_000001', 'client_seed_key_000002'],
      MINER: ['miner_seed_key_0000001'],
      ADMIN: ['admin_seed_key_0000001'],
    };
    const path = envFile(
      'seed.env',
      Object.entries(keys)
        .map(([group, list]) => `${group}_API_KEYS=${JSON.stringify(list)}`)
        .join('\n'),
    );
    const dry = await cli([
      'tokens',
      'import',
      '--from-env-file',
      path,
      '--create-roles',
      'CLIENT=client:jobs:submit,errors:read',
      '--create-roles',
      'MINER=miner:jobs:claim',
      '--create-roles',
      'ADMIN=admin:audit:read',
      '--dry-run',
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain('would create role client (jobs:submit, errors:read)');
    const before = await call(fx.server.h.app, 'GET', '/v1/roles', fx.server.h.adminToken);
    expect((before.body.data as Row[]).map((r) => r.name)).not.toContain('client');

    const res = await cli([
      'tokens',
      'import',
      '--from-env-file',
      path,
      '--create-roles',
      'CLIENT=client:jobs:submit,errors:read',
      '--create-roles',
      'MINER=miner:jobs:claim',
      '--create-roles',
      'ADMIN=admin:audit:read',
      '--json',
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(parseJson<Report>(res.stdout).imported).toHaveLength(4);
    expect(await scopesOf('client_seed_key_000002')).toEqual(['errors:read', 'jobs:submit']);
    expect(await scopesOf('miner_seed_key_0000001')).toEqual(['jobs:claim']);
    expect(await scopesOf('admin_seed_key_0000001')).toEqual(['audit:read']);
    const roles = (await call(fx.server.h.app, 'GET', '/v1/roles', fx.server.h.adminToken)).body
      .data as Row[];
    expect(roles.find((r) => r.name === 'client')?.scopes).toEqual(['errors:read', 'jobs:submit']);
  });

  it('names the malformed spec and imports nothing', async () => {
    const path = envFile('bad.env', 'CLIENT_API_KEYS=["client_bad_spec_000001"]\n');
    const res = await cli(['tokens', 'import', '--from-env-file', path, '--create-roles', 'CLIENT=client']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--create-roles: expected GROUP=role:scope,scope/);
    expect(await scopesOf('client_bad_spec_000001')).toBe(401);
  });

  it('when a later batch fails, reports exactly which keys the earlier batches committed', async () => {
    // A key in use elsewhere (an issued token; a key this project imported before would be skipped).
    const taken = fx.server.h.adminToken;
    const many = Array.from({ length: 1200 }, (_, i) => `batch_key_${String(i).padStart(6, '0')}_xyz`);
    many[1199] = taken; // in the last batch
    const path = envFile('many.env', `CLIENT_API_KEYS=${JSON.stringify(many)}\n`);
    const res = await cli(['tokens', 'import', '--from-env-file', path, '--map', 'CLIENT=client', '--json']);
    expect(res.code).toBe(1);
    const failed = /batch (\d+) of (\d+) failed .*the (\d+) key\(s\) listed as committed were imported/.exec(
      res.stderr,
    );
    expect(failed, res.stderr).not.toBeNull();
    expect(Number(failed?.[1])).toBe(Number(failed?.[2]));
    const committed = Number(failed?.[3]);
    expect(committed).toBeGreaterThan(0);
    const report = parseJson<{ error: { committed: { source: string }[] } }>(res.stdout).error;
    expect(report.committed).toHaveLength(committed);
    expect(report.committed.at(-1)?.source).toBe(`CLIENT_API_KEYS[${committed - 1}] (line 1)`);
    expect(await scopesOf(many[committed - 1] as string)).toEqual(['errors:read', 'jobs:submit']);
    expect(await scopesOf(many[committed] as string)).toBe(401);

    // The cause fixed, the same command again: the committed keys are skipped, the rest imported,
    // every key exactly once.
    const fixed = [...many.slice(0, 1199), 'batch_key_replacement_xyz_000'];
    const rerunPath = envFile('many-fixed.env', `CLIENT_API_KEYS=${JSON.stringify(fixed)}\n`);
    const rerun = await cli([
      'tokens',
      'import',
      '--from-env-file',
      rerunPath,
      '--map',
      'CLIENT=client',
      '--json',
    ]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const result = parseJson<{ imported: unknown[]; skipped: unknown[] }>(rerun.stdout);
    expect(result.skipped).toHaveLength(committed);
    expect(result.imported).toHaveLength(fixed.length - committed);
    expect(await scopesOf(fixed[1199] as string)).toEqual(['errors:read', 'jobs:submit']);
  });
});
