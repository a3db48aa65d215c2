import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { call } from '../../server/test/harness.ts';
import { createRole, createToken, parseJson, runCli, tempConfigHome, useCli } from './helpers.ts';

type TokenJson = {
  id: string;
  name: string;
  hint: string;
  status: string;
  role_id: string | null;
  scopes: string[];
  token?: string;
};

const fx = useCli({
  prepare: async (server) => {
    await createRole(server, 'client', ['jobs:submit', 'errors:read']);
  },
  login: 'admin',
});
const { cli } = fx;

async function freePortThatIsClosed(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const statusOf = async (secret: string) =>
  (await call(fx.server.h.app, 'GET', '/v1/me', null, undefined, { authorization: `Bearer ${secret}` }))
    .status;

describe('tokens create | list | show | update | rotate | revoke', () => {
  it('prints the secret once, on stdout alone, and never again', async () => {
    const created = await cli([
      'tokens',
      'create',
      '--name',
      'ci deploy',
      '--role',
      'client',
      '--expires-in',
      '30d',
    ]);
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^kw_[0-9A-Za-z]{49}$/);
    expect(created.stderr).toMatch(/Created tok_\w+ "ci deploy" \(kw_…\w{4}\)/);
    expect(created.stderr).not.toContain(secret);
    expect(await statusOf(secret)).toBe(200);

    const list = await cli(['tokens', 'list', '--json', '--role', 'client']);
    expect(list.code).toBe(0);
    const { data } = parseJson<{ data: TokenJson[] }>(list.stdout);
    const row = data.find((t) => t.name === 'ci deploy');
    expect(row).toBeDefined();
    expect(list.stdout).not.toContain(secret);
    const id = row?.id as string;

    const table = await cli(['tokens', 'list']);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+HINT\s+OWNER\s+RIGHTS\s+STATUS/m);
    expect(table.stdout).toMatch(
      new RegExp(`${id}\\s+ci deploy\\s+kw_…\\w{4}\\s+usr_\\w+\\s+role client\\s+active`),
    );
    expect(table.stdout).not.toContain(secret);

    const show = await cli(['tokens', 'show', id]);
    expect(show.stdout).toMatch(/role:\s+client \(rol_\w+\)/);
    expect(show.stdout).toMatch(/expires:\s+\S+ \(in 29d 23h\)/);
    expect(show.stdout).not.toContain(secret);

    const updated = await cli([
      'tokens',
      'update',
      id,
      '--name',
      'ci deploy (prod)',
      '--no-expiry',
      '--json',
    ]);
    expect(updated.code).toBe(0);
    expect(parseJson<TokenJson & { expires_at: string | null }>(updated.stdout)).toMatchObject({
      name: 'ci deploy (prod)',
      expires_at: null,
    });

    // Destructive commands refuse to run unattended without --yes.
    const refused = await cli(['tokens', 'rotate', id]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pass --yes/);
    expect(await statusOf(secret)).toBe(200);

    const rotated = await cli(['tokens', 'rotate', id, '--yes', '--json']);
    expect(rotated.code).toBe(0);
    const fresh = parseJson<TokenJson>(rotated.stdout);
    expect(fresh.id).toBe(id);
    expect(fresh.token).toMatch(/^kw_/);
    expect(fresh.token).not.toBe(secret);
    expect(await statusOf(secret)).toBe(401);
    expect(await statusOf(fresh.token as string)).toBe(200);

    expect((await cli(['tokens', 'revoke', id])).code).toBe(2);
    const revoked = await cli(['tokens', 'revoke', id, '--yes', '--reason', 'leaked in CI log']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`Revoked ${id}`));
    expect(await statusOf(fresh.token as string)).toBe(401);
  });

  it('audit list shows the changes and audit verify checks the chain', async () => {
    const list = await cli(['audit', 'list', '--all', '--json']);
    expect(list.code).toBe(0);
    const actions = parseJson<{ data: { action: string }[] }>(list.stdout).data.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['token.created', 'token.rotated', 'token.revoked', 'role.created']),
    );
    const verify = await cli(['audit', 'verify']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/audit chain intact \(\d+ events, \d+ checkpoints\)/);
  });

  it('audit checkpoint prints a signed checkpoint that audit verify --checkpoint checks', async () => {
    const printed = await cli(['audit', 'checkpoint', '--json']);
    expect(printed.code).toBe(0);
    const checkpoint = parseJson<{ seq: number; mac: string }>(printed.stdout);
    expect(checkpoint.mac).toMatch(/^[0-9a-f]{64}$/);
    const file = join(mkdtempSync(join(tmpdir(), 'kw-checkpoint-')), 'checkpoint.json');
    writeFileSync(file, printed.stdout);
    const verify = await cli(['audit', 'verify', '--checkpoint', file]);
    expect(verify.code).toBe(0);
    writeFileSync(file, JSON.stringify({ ...checkpoint, seq: checkpoint.seq + 1 }));
    expect((await cli(['audit', 'verify', '--checkpoint', file])).code).not.toBe(0);
  });
});

describe('exit codes and error ids', () => {
  it('exits 3 with the server’s code and error id when the token is revoked, and errors show explains it', async () => {
    const { token, id } = await createToken(fx.server, {
      name: 'soon revoked',
      scopes: ['tokens:read', 'errors:read'],
    });
    const env = { KEYWARD_TOKEN: token, KEYWARD_URL: fx.server.url };
    expect((await cli(['tokens', 'show', id], { env })).code).toBe(0);
    await call(fx.server.h.app, 'POST', `/v1/tokens/${id}/revoke`, fx.server.h.adminToken, {});

    const refused = await cli(['tokens', 'list'], { env });
    expect(refused.code).toBe(3);
    const match = /^error: The token has been revoked \(TOKEN_REVOKED, error id (err_\w+)\)$/m.exec(
      refused.stderr,
    );
    expect(match, refused.stderr).not.toBeNull();
    expect(refused.stderr).not.toContain(token);

    const json = await cli(['tokens', 'list', '--json'], { env });
    expect(json.code).toBe(3);
    expect(parseJson<{ error: { code: string; error_id: string } }>(json.stdout).error).toMatchObject({
      code: 'TOKEN_REVOKED',
      error_id: expect.stringMatching(/^err_/),
    });

    const shown = await cli(['errors', 'show', match?.[1] as string]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/status:\s+401 TOKEN_REVOKED/);
    expect(shown.stdout).toMatch(new RegExp(`token:\\s+${id}`));
    expect((await cli(['errors', 'show', 'err_doesnotexist0000'])).code).toBe(1);
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli(['tokens', 'create'])).code).toBe(2);
    expect((await cli(['tokens', 'list', '--status', 'sleeping'])).code).toBe(2);
    expect((await cli(['tokens', 'frobnicate'])).code).toBe(2);
    expect((await cli(['--bogus'])).code).toBe(2);
    expect((await cli(['tokens', 'create', '--name', 'x', '--expires-in', 'soon'])).code).toBe(2);
    expect((await cli(['auth', 'login', '--url', 'ftp://example'], { input: 'kw_x' })).code).toBe(2);
    expect((await cli(['auth', 'login', '--environment', 'Bad Env'], { input: 'kw_x' })).code).toBe(2);
  });

  it('exits 1 when the server cannot be reached, and auth status says unreachable', async () => {
    const url = `http://127.0.0.1:${await freePortThatIsClosed()}`;
    const res = await cli(['tokens', 'list'], {
      env: { KEYWARD_URL: url, KEYWARD_TOKEN: fx.server.h.adminToken },
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error: cannot reach Keyward at http:\/\/127\.0\.0\.1:\d+/m);
    expect(res.stderr).not.toContain(fx.server.h.adminToken);

    const status = await cli(['auth', 'status', '--json', '--url', url]);
    expect(status.code).toBe(1);
    const body = parseJson<{ authenticated: boolean; credentials: { key: string; state: string }[] }>(
      status.stdout,
    );
    expect(body.authenticated).toBe(false);
    expect(body.credentials).toEqual([
      expect.objectContaining({ key: 'bootstrap-admin-token@default', state: 'unreachable' }),
    ]);
    const human = await cli(['auth', 'status', '--url', url]);
    expect(human.stdout).toMatch(/status:\s+✗ unreachable — cannot reach Keyward/);
  });

  it('exits 3 when not logged in at all', async () => {
    const empty = tempConfigHome();
    try {
      const res = await runCli(['tokens', 'list'], { configHome: empty.dir });
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(/not logged in/);
    } finally {
      empty.cleanup();
    }
  });
});
