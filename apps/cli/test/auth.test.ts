import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../server/test/harness.ts';
import { createRole, createToken, parseJson, useCli } from './helpers.ts';

type Status = {
  authenticated: boolean;
  active: string | null;
  stored_credentials: string[];
  credentials: {
    key: string;
    state: string;
    code: string | null;
    error_id: string | null;
    hint: string;
    url: string;
    scopes: string[] | null;
    expires_at: string | null;
    expires_in_seconds: number | null;
  }[];
};

const fx = useCli({ homePerTest: true });
const { cli } = fx;
let clientRole: string;

beforeAll(async () => {
  clientRole = await createRole(fx.server, 'client', ['jobs:submit', 'errors:read']);
});

describe('auth login / status / logout / switch', () => {
  it('stores a client key as client@default and reports it revoked once revoked elsewhere', async () => {
    // A client key cannot read its own record (no tokens:read), so its credential is named after the token.
    const { token, id } = await createToken(fx.server, {
      name: 'client',
      role_id: clientRole,
      expires_in_seconds: 86_400,
    });

    const login = await cli(['auth', 'login', token, '--environment', 'default', '--url', fx.server.url]);
    expect(login.stderr).not.toContain(token);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('client@default');
    expect(login.stdout).not.toContain(token);

    const ok = await cli(['auth', 'status', '--json']);
    expect(ok.code).toBe(0);
    const before = parseJson<Status>(ok.stdout);
    expect(before.authenticated).toBe(true);
    expect(before.stored_credentials).toEqual(['client@default']);
    expect(before.credentials[0]).toMatchObject({
      key: 'client@default',
      state: 'authenticated',
      url: fx.server.url,
    });
    expect(before.credentials[0]?.scopes).toEqual(['errors:read', 'jobs:submit']);
    expect(before.credentials[0]?.expires_in_seconds).toBeGreaterThan(86_000);
    expect(ok.stdout).not.toContain(token);

    const human = await cli(['auth', 'status']);
    expect(human.stdout).toMatch(/client@default \(active\)/);
    expect(human.stdout).toMatch(/status:\s+✓ authenticated/);
    expect(human.stdout).toMatch(/expires:\s+in 23h 59m|expires:\s+in 1d/);
    expect(human.stdout).not.toContain(token);

    // Another session (the administrator, over HTTP) revokes the key.
    const revoke = await call(fx.server.h.app, 'POST', `/v1/tokens/${id}/revoke`, fx.server.h.adminToken, {
      reason: 'test',
    });
    expect(revoke.status).toBe(200);

    const after = await cli(['auth', 'status', '--json']);
    expect(after.code).toBe(3);
    const status = parseJson<Status>(after.stdout);
    expect(status.authenticated).toBe(false);
    expect(status.credentials[0]).toMatchObject({
      key: 'client@default',
      state: 'revoked',
      code: 'TOKEN_REVOKED',
    });
    expect(status.credentials[0]?.error_id).toMatch(/^err_/);

    const humanAfter = await cli(['auth', 'status']);
    expect(humanAfter.stdout).toMatch(
      /✗ revoked — The token has been revoked \(TOKEN_REVOKED, error id err_\w+\)/,
    );
  });

  it('keeps one 0600 file per credential, so a file holds only its own environment’s secret', async () => {
    const a = await createToken(fx.server, { name: 'client', role_id: clientRole });
    const b = await createToken(fx.server, { name: 'client', role_id: clientRole });
    expect(
      (await cli(['auth', 'login', a.token, '--environment', 'default', '--url', fx.server.url])).code,
    ).toBe(0);
    expect(
      (await cli(['auth', 'login', b.token, '--environment', 'prod', '--url', fx.server.url])).code,
    ).toBe(0);

    const dir = join(fx.home, 'keyward');
    const credentials = join(dir, 'credentials');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(credentials).mode & 0o777).toBe(0o700);
    expect(readdirSync(credentials).sort()).toEqual(['client@default.json', 'client@prod.json']);
    for (const file of readdirSync(credentials))
      expect(statSync(join(credentials, file)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'state.json')).mode & 0o777).toBe(0o600);

    const defaultFile = readFileSync(join(credentials, 'client@default.json'), 'utf8');
    expect(defaultFile).toContain(a.token);
    expect(defaultFile).not.toContain(b.token);
    expect(JSON.parse(defaultFile)).toMatchObject({
      name: 'client',
      environment: 'default',
      url: fx.server.url,
    });
    const prodFile = readFileSync(join(credentials, 'client@prod.json'), 'utf8');
    expect(prodFile).toContain(b.token);
    expect(prodFile).not.toContain(a.token);
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).not.toMatch(/kw_/);

    // The latest login is active; switch and logout move it.
    let status = parseJson<Status>((await cli(['auth', 'status', '--json'])).stdout);
    expect(status.active).toBe('client@prod');
    expect(status.stored_credentials).toEqual(['client@default', 'client@prod']);
    expect((await cli(['auth', 'switch', 'default'])).code).toBe(0);
    status = parseJson<Status>((await cli(['auth', 'status', '--json'])).stdout);
    expect(status.active).toBe('client@default');
    expect((await cli(['auth', 'switch', 'nowhere'])).code).toBe(3);

    const logout = await cli(['auth', 'logout', '--environment', 'prod', '--json']);
    expect(logout.code).toBe(0);
    expect(parseJson<{ removed: string[] }>(logout.stdout).removed).toEqual(['client@prod']);
    expect(readdirSync(credentials)).toEqual(['client@default.json']);
  });

  it('reads the token from stdin, refuses a bad one before saving, and names role-less tokens after themselves', async () => {
    const bad = await cli(['auth', 'login', '--with-token', '--url', fx.server.url], {
      input: 'kw_definitelyNotARealTokenButShapedLikeOneXXXXXXXXXXXXXXXXXX\n',
    });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^error: .*\(TOKEN_MALFORMED|TOKEN_INVALID/m);
    expect(bad.stderr).toMatch(/error id err_/);

    const scoped = await createToken(fx.server, { name: 'CI Deploy #1', scopes: ['errors:read'] });
    const piped = await cli(['auth', 'login', '--environment', 'ci', '--url', fx.server.url], {
      input: `${scoped.token}\n`,
    });
    expect(piped.code).toBe(0);
    const status = parseJson<Status>((await cli(['auth', 'status', '--json'])).stdout);
    expect(status.stored_credentials).toEqual(['ci-deploy-1@ci']);
  });

  it('names the credential after the role when the token may read its own record and the roles', async () => {
    const operatorRole = await createRole(fx.server, 'operator', ['tokens:read', 'roles:read']);
    const { token } = await createToken(fx.server, { name: 'Ops laptop', role_id: operatorRole });
    const login = await cli(['auth', 'login', '--url', fx.server.url, '--environment', 'staging', '--json'], {
      input: token,
    });
    expect(login.code).toBe(0);
    expect(parseJson<{ key: string; hint: string }>(login.stdout)).toMatchObject({
      key: 'operator@staging',
      hint: `kw_…${token.slice(-4)}`,
    });
    expect(login.stdout).not.toContain(token);
    const named = await cli(['auth', 'login', '--url', fx.server.url, '--name', 'ops', '--json'], {
      input: token,
    });
    expect(parseJson<{ key: string }>(named.stdout).key).toBe('ops@default');
  });

  it('lets KEYWARD_TOKEN and --environment choose the credential (flags > env vars > active)', async () => {
    const stored = await createToken(fx.server, { name: 'client', role_id: clientRole });
    expect((await cli(['auth', 'login', stored.token, '--url', fx.server.url])).code).toBe(0);
    const env = await createToken(fx.server, { name: 'from env', scopes: ['tokens:read'] });

    const viaEnv = await cli(['tokens', 'show', env.id, '--json'], {
      env: { KEYWARD_TOKEN: env.token, KEYWARD_URL: fx.server.url },
    });
    expect(viaEnv.code).toBe(0);
    expect(parseJson<{ id: string }>(viaEnv.stdout).id).toBe(env.id);

    // --environment beats KEYWARD_TOKEN: the stored client key lacks tokens:read → 403 → exit 3.
    const viaFlag = await cli(['tokens', 'show', env.id, '--environment', 'default'], {
      env: { KEYWARD_TOKEN: env.token, KEYWARD_URL: fx.server.url },
    });
    expect(viaFlag.code).toBe(3);
    expect(viaFlag.stderr).toMatch(/INSUFFICIENT_SCOPE, error id err_/);

    const status = parseJson<Status>(
      (await cli(['auth', 'status', '--json'], { env: { KEYWARD_TOKEN: env.token } })).stdout,
    );
    expect(status.active).toBe('KEYWARD_TOKEN');
    expect(status.authenticated).toBe(true);
    expect(status.stored_credentials).toEqual(['client@default']);
  });
});
