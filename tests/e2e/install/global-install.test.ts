import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort, stopChild, waitForPort } from '../processes.ts';

const run = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url).pathname;

/**
 * better-sqlite3 installs its prebuilt binary from GitHub's releases, which this machine cannot
 * reach (without it, npm compiles SQLite for minutes). prebuild-install's documented offline
 * source, a local prebuilds folder, gets the same archive, made from the binary the workspace's own
 * install built for this Node: npm still runs every install script of the tarball's dependencies.
 */
async function localPrebuilds(dir: string): Promise<Record<string, string>> {
  const require = createRequire(join(ROOT, 'package.json'));
  const manifest = require.resolve('better-sqlite3/package.json');
  const { version } = require(manifest) as { version: string };
  const folder = join(dir, 'prebuilds');
  mkdirSync(folder);
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await run('tar', [
    '-czf',
    join(folder, name),
    '-C',
    join(manifest, '..'),
    'build/Release/better_sqlite3.node',
  ]);
  return { npm_config_better_sqlite3_local_prebuilds: folder };
}

/**
 * The product as users get it: `npm pack` (scripts/pack.mjs), `npm install -g` into a fresh
 * prefix, then the installed `keyward` binary — never the workspace's sources.
 */
describe('global install from the packed tarball', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-install-'));
  const prefix = join(dir, 'prefix');
  const keyward = join(prefix, 'bin', 'keyward');
  const dataDir = join(dir, 'data');
  // A module preloaded into the client commands: loading any native addon fails the command.
  const noNative = join(dir, 'no-native.mjs');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    NO_COLOR: '1',
  };
  let installLog = '';
  let server: ChildProcess | undefined;
  let url = '';
  let adminToken = '';

  const client = (args: string[], input = '') =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(keyward, [...args, '--url', url], {
        env: { ...env, NODE_OPTIONS: `--import ${noNative}` },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input);
    });

  beforeAll(async () => {
    writeFileSync(
      noNative,
      "process.dlopen = (_module, file) => { throw new Error('native module loaded: ' + file); };\n",
    );
    const packed = await run(process.execPath, [join(ROOT, 'scripts/pack.mjs'), '--out', dir]);
    const tarball = packed.stdout.trim();
    expect(tarball).toMatch(/keyward-\d+\.\d+\.\d+\.tgz$/);
    const installed = await run(
      'npm',
      ['install', '-g', '--prefix', prefix, '--no-fund', '--no-audit', tarball],
      {
        env: {
          ...process.env,
          npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr',
          ...(await localPrebuilds(dir)),
        },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    installLog = installed.stdout + installed.stderr;
  }, 600_000);

  afterAll(async () => {
    await stopChild(server);
    rmSync(dir, { recursive: true, force: true });
  });

  test('installs without engine warnings, outside the workspace', () => {
    expect(installLog).not.toContain('EBADENGINE');
    expect(keyward.startsWith(ROOT)).toBe(false);
  });

  test('init, then serve with the console, from the installed binary', async () => {
    const init = await run(keyward, ['init', '--data-dir', dataDir, '--json'], {
      env: { ...env, DATABASE_URL: '' },
    });
    adminToken = JSON.parse(init.stdout).admin_token;
    expect(adminToken).toMatch(/^kw_/);

    const port = await freePort();
    server = spawn(keyward, ['serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir], {
      env: { ...env, DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    server.stdout?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    server.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    await waitForPort(port, server, () => log);
    url = `http://127.0.0.1:${port}`;
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<script type="module"');
    const me = await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(me.status).toBe(200);
  });

  test('the client commands work and load no native module', async () => {
    const login = await client(['auth', 'login', '--with-token', '--json'], adminToken);
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);

    const created = await client(['tokens', 'create', '--name', 'ci', '--scope', 'deploys:write', '--json']);
    expect(created.code).toBe(0);
    const { id, token } = JSON.parse(created.stdout);
    expect(token).toMatch(/^kw_/);

    const listed = await client(['tokens', 'list', '--json', 'id,name']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toContainEqual({ id, name: 'ci' });

    const missing = await fetch(`${url}/v1/tokens/tok_00000000000000000000000000`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const { error_id: errorId } = (await missing.json()) as { error_id: string };
    const shown = await client(['errors', 'show', errorId, '--json']);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ error_id: errorId, status: 404 });

    const generated = await client(['keys', 'generate', '--json']);
    expect(generated.code).toBe(0);

    // The preload is live: a command that opens the database is refused by it.
    const migrate = await client(['migrate', '--data-dir', dataDir]);
    expect(migrate.code).not.toBe(0);
    expect(migrate.stderr + migrate.stdout).toContain('native module loaded');
  });
});
