import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { call } from '../../server/test/harness.ts';
import { BIN, createRole, createToken, parseJson, runCli, tempConfigHome, useCli } from './helpers.ts';

type Row = Record<string, unknown>;

const fx = useCli({ login: 'admin' });
const { cli } = fx;
const json = async <T = Row>(args: string[]) => {
  const res = await cli([...args, '--json']);
  if (res.code !== 0) throw new Error(`${args.join(' ')}: ${res.code} ${res.stderr}`);
  return parseJson<T>(res.stdout);
};
const statusOf = async (secret: string) =>
  (await call(fx.server.h.app, 'GET', '/v1/me', null, undefined, { authorization: `Bearer ${secret}` }))
    .status;

describe('roles', () => {
  it('create, list, update and delete, addressed by name', async () => {
    const created = await json([
      'roles',
      'create',
      'miner',
      '--scope',
      'jobs:read',
      '--scope',
      'jobs:submit',
    ]);
    expect(created).toMatchObject({ name: 'miner', scopes: ['jobs:read', 'jobs:submit'] });
    const table = await cli(['roles', 'list']);
    expect(table.stdout).toMatch(new RegExp(`${created.id}\\s+miner\\s+jobs:read jobs:submit\\s+no`));
    const updated = await json(['roles', 'update', 'miner', '--scope', 'jobs:read']);
    expect(updated.scopes).toEqual(['jobs:read']);
    expect((await cli(['roles', 'update', 'miner'])).code).toBe(2);
    expect((await cli(['roles', 'delete', 'miner'])).code).toBe(2);
    expect(await json(['roles', 'delete', 'miner', '--yes'])).toEqual({ deleted: created.id });
    const names = (await json<{ data: Row[] }>(['roles', 'list'])).data.map((r) => r.name);
    expect(names).not.toContain('miner');
  });
});

describe('members', () => {
  it('list, change role and remove; the removed member loses access', async () => {
    const roleId = await createRole(fx.server, 'viewer', ['tokens:read']);
    const roles = await call(fx.server.h.app, 'GET', '/v1/roles', fx.server.h.adminToken);
    const owner = roles.body.data.find((r: Row) => r.name === 'owner');
    const added = await call(fx.server.h.app, 'POST', '/v1/members', fx.server.h.adminToken, {
      email: 'dana@example.com',
      role_id: owner.id,
      password: 'dana correct horse battery',
    });
    expect(added.status).toBe(201);
    const userId = added.body.user_id as string;
    const list = await json<{ data: Row[] }>(['members', 'list']);
    expect(list.data.map((m) => m.email)).toEqual(expect.arrayContaining(['dana@example.com']));
    const changed = await json(['members', 'set-role', userId, '--role', 'viewer']);
    expect(changed).toMatchObject({ user_id: userId, role_id: roleId, role: 'viewer' });
    expect((await cli(['members', 'remove', userId])).code).toBe(2);
    expect(await json(['members', 'remove', userId, '--yes'])).toEqual({ removed: userId });
    const after = await json<{ data: Row[] }>(['members', 'list']);
    expect(after.data.map((m) => m.user_id)).not.toContain(userId);
  });
});

describe('service accounts and projects', () => {
  it('creates a service account whose token works, deactivates it and the token stops', async () => {
    await createRole(fx.server, 'deployer', ['deploys:write']);
    const account = await json(['service-accounts', 'create', '--name', 'ci', '--role', 'deployer']);
    expect(account).toMatchObject({ name: 'ci', active: true });
    const shown = await json(['sa', 'show', account.id as string]);
    expect(shown.id).toBe(account.id);
    const created = await json([
      'tokens',
      'create',
      '--name',
      'ci token',
      '--role',
      'deployer',
      '--expires-in',
      '1d',
      '--service-account',
      account.id as string,
    ]);
    expect(await statusOf(created.token as string)).toBe(200);
    const paused = await json(['service-accounts', 'update', account.id as string, '--no-active']);
    expect(paused.active).toBe(false);
    expect(await statusOf(created.token as string)).toBe(401);
  });

  it('lists, shows and updates the project lifetime policy', async () => {
    const [project] = (await json<{ data: Row[] }>(['projects', 'list'])).data;
    expect(project?.id).toBe(fx.server.h.projectId);
    const updated = await json(['projects', 'update', fx.server.h.projectId, '--max-lifetime', '90d']);
    expect(updated.settings).toMatchObject({ max_token_lifetime_seconds: 90 * 86_400 });
    const shown = await cli(['projects', 'show', fx.server.h.projectId]);
    expect(shown.stdout).toMatch(/max lifetime:\s+90d/);
    const cleared = await json(['projects', 'update', fx.server.h.projectId, '--max-lifetime', 'none']);
    expect(cleared.settings).toMatchObject({ max_token_lifetime_seconds: null });
  });
});

describe('tokens enable | disable | bulk-revoke | usage', () => {
  it('disables and enables a token, and shows its usage by outcome', async () => {
    const { token, id } = await createToken(fx.server, { name: 'pausable', scopes: ['jobs:read'] });
    expect(await statusOf(token)).toBe(200);
    expect((await json(['tokens', 'disable', id])).status).toBe('disabled');
    expect(await statusOf(token)).toBe(401);
    expect((await json(['tokens', 'enable', id])).status).toBe('active');
    expect(await statusOf(token)).toBe(200);
    await fx.server.h.deps.usage.flush();
    const usage = await json<{ series: { outcome: string; total: number }[] }>(['tokens', 'usage', id]);
    const totals = Object.fromEntries(usage.series.map((s) => [s.outcome, s.total]));
    expect(totals.VALID).toBe(2);
    expect(totals.DISABLED).toBe(1);
    const table = await cli(['tokens', 'usage', id]);
    expect(table.stdout).toMatch(/^START\s+/m);
  });

  it('bulk-revokes an owner: dry run first, then for real, confirmation required', async () => {
    const account = await json(['service-accounts', 'create', '--name', 'leaky', '--role', 'deployer']);
    const tokens = await Promise.all(
      [1, 2].map((n) =>
        createToken(fx.server, {
          name: `leaky ${n}`,
          role_id: account.role_id,
          service_account_id: account.id,
        }),
      ),
    );
    const dry = await json<{ dry_run: boolean; count: number }>([
      'tokens',
      'bulk-revoke',
      '--owner',
      account.id as string,
      '--dry-run',
    ]);
    expect(dry).toMatchObject({ dry_run: true, count: 2 });
    for (const t of tokens) expect(await statusOf(t.token)).toBe(200);
    expect((await cli(['tokens', 'bulk-revoke', '--owner', account.id as string])).code).toBe(2);
    const done = await json<{ revoked: string[] }>([
      'tokens',
      'bulk-revoke',
      '--owner',
      account.id as string,
      '--yes',
      '--reason',
      'leaked',
    ]);
    expect(done.revoked.sort()).toEqual(tokens.map((t) => t.id).sort());
    for (const t of tokens) expect(await statusOf(t.token)).toBe(401);
  });
});

describe('scripting', () => {
  it('--json with a field list keeps those fields, in order, as gh does', async () => {
    await createToken(fx.server, { name: 'picked', scopes: ['jobs:read'] });
    for (const flag of [['--json', 'id,name,status'], ['--json=id,name,status']]) {
      const res = await cli(['tokens', 'list', ...flag]);
      expect(res.code).toBe(0);
      const rows = parseJson<Row[]>(res.stdout);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(Object.keys(row)).toEqual(['id', 'name', 'status']);
      expect(rows.map((r) => r.name)).toContain('picked');
    }
    const nested = parseJson<Row>((await cli(['auth', 'token', '--json=source'])).stdout);
    expect(nested).toEqual({ source: 'active credential' });
    expect((await cli(['tokens', 'list', '--json=Id;drop'])).code).toBe(2);
  });

  it('auth token prints the token in use, for scripts', async () => {
    const res = await cli(['auth', 'token']);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(fx.server.h.adminToken);
    const env = await cli(['auth', 'token'], { env: { KEYWARD_TOKEN: 'kw_from_env' } });
    expect(env.stdout.trim()).toBe('kw_from_env');
    const empty = tempConfigHome();
    try {
      expect((await runCli(['auth', 'token'], { configHome: empty.dir })).code).toBe(3);
    } finally {
      empty.cleanup();
    }
  });

  it('refuses unsafe or ambiguous input before any request, with exit 2', async () => {
    const bare = await cli(['tokens', 'create', '--name', 'x']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--scope/);
    expect(bare.stderr).toMatch(/--role/);
    const unitless = await cli(['tokens', 'create', '--name', 'x', '--scope', 'a:b', '--expires-in', '30']);
    expect(unitless.code).toBe(2);
    expect(unitless.stderr).toMatch(/use a unit: 30d, 30h, 30m/);
    const names = (await json<{ data: Row[] }>(['tokens', 'list', '--all'])).data.map((t) => t.name);
    expect(names).not.toContain('x');
  });

  it('bash completion offers the commands and options at each level', () => {
    const script = execFileSync(process.execPath, [BIN, 'completion', 'bash'], { encoding: 'utf8' });
    const complete = (line: string) => {
      const words = line.split(' ');
      const program = `${script}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_keyward; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return execFileSync('bash', ['-c', program], { encoding: 'utf8' }).trim().split('\n');
    };
    expect(complete('keyward to')).toEqual(['tokens']);
    expect(complete('keyward tokens re')).toEqual(['revoke']);
    expect(complete('keyward tokens create --sc')).toEqual(['--scope']);
    expect(complete('keyward policies set --idle-rev')).toEqual(['--idle-revoke-days']);
    expect(complete('keyward --json members ')).toEqual(
      expect.arrayContaining(['list', 'set-role', 'remove']),
    );
    for (const shell of ['zsh', 'fish']) {
      const out = execFileSync(process.execPath, [BIN, 'completion', shell], { encoding: 'utf8' });
      expect(out).toContain('tokens');
    }
    expect(() => execFileSync(process.execPath, [BIN, 'completion', 'tcsh'], { stdio: 'pipe' })).toThrow();
  });
});
