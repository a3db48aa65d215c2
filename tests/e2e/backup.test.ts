import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort, stopChild, waitForPort } from './processes.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const KEYWARD = join(ROOT, 'apps/cli/bin/keyward.js');
const ENV = { ...process.env, DATABASE_URL: '', KEYWARD_PEPPER: '' };

async function serve(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [KEYWARD, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir],
    {
      env: ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  await waitForPort(port, child, () => log);
  return { url: `http://127.0.0.1:${port}`, child };
}

describe('keyward backup and restore (SQLite, online)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-backup-'));
  const live = join(dir, 'live');
  const restored = join(dir, 'restored');
  const backupFile = join(dir, 'keyward-backup.db');
  let server: { url: string; child: ChildProcess } | undefined;
  let restoredServer: { url: string; child: ChildProcess } | undefined;
  let admin = '';

  beforeAll(async () => {
    await run(process.execPath, [join(ROOT, 'apps/cli/build.mjs')]);
    const init = await run(process.execPath, [KEYWARD, 'init', '--data-dir', live, '--json'], { env: ENV });
    admin = JSON.parse(init.stdout).admin_token;
    server = await serve(live);
  }, 120_000);

  afterAll(async () => {
    await stopChild(server?.child);
    await stopChild(restoredServer?.child);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a backup taken under write load holds every token acknowledged before it began', async () => {
    const url = server?.url ?? '';
    const acknowledged: { token: string; at: number }[] = [];
    let writing = true;
    const writer = async () => {
      for (let i = 0; writing; i++) {
        const res = await fetch(`${url}/v1/tokens`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: `load-${i}`, scopes: ['deploys:write'] }),
        });
        expect(res.status).toBe(201);
        const { token } = (await res.json()) as { token: string };
        acknowledged.push({ token, at: Date.now() });
      }
    };
    const writers = [writer(), writer(), writer()];
    while (acknowledged.length < 50) await new Promise((r) => setTimeout(r, 10));

    const began = Date.now();
    const backup = await run(
      process.execPath,
      [KEYWARD, 'backup', backupFile, '--data-dir', live, '--json'],
      {
        env: ENV,
      },
    );
    const writtenDuringBackup = acknowledged.filter((a) => a.at >= began).length;
    while (acknowledged.filter((a) => a.at >= began).length < writtenDuringBackup + 20)
      await new Promise((r) => setTimeout(r, 10));
    writing = false;
    await Promise.all(writers);
    expect(JSON.parse(backup.stdout)).toMatchObject({ path: backupFile, migration: expect.any(String) });

    // A new data directory: the backup, plus the pepper kept apart (it is never in a backup).
    mkdirSync(restored, { mode: 0o700 });
    copyFileSync(join(live, 'pepper'), join(restored, 'pepper'));
    const restore = await run(
      process.execPath,
      [KEYWARD, 'restore', backupFile, '--data-dir', restored, '--json'],
      {
        env: ENV,
      },
    );
    expect(JSON.parse(restore.stdout).path).toBe(join(restored, 'keyward.db'));
    restoredServer = await serve(restored);

    const before = acknowledged.filter((a) => a.at < began);
    expect(before.length).toBeGreaterThanOrEqual(50);
    for (const { token } of before) {
      const me = await fetch(`${restoredServer.url}/v1/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(me.status).toBe(200);
    }
  }, 240_000);

  test('restore refuses to replace a database without --force, and refuses a file that is no Keyward database', async () => {
    const again = await run(process.execPath, [KEYWARD, 'restore', backupFile, '--data-dir', live], {
      env: ENV,
    }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in again && again.code).toBe(1);
    expect('stderr' in again && again.stderr).toContain('--force');

    const junk = join(dir, 'junk.db');
    copyFileSync(join(live, 'pepper'), junk);
    const bad = await run(process.execPath, [KEYWARD, 'restore', junk, '--data-dir', join(dir, 'other')], {
      env: ENV,
    }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in bad && bad.code).toBe(1);
  }, 120_000);
});
