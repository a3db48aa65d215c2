import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const KEYWARD = join(ROOT, 'apps/cli/bin/keyward.js');

/** Starts `keyward serve` and resolves with its URL once it logs that it listens. */
function serve(dataDir: string): Promise<{ url: string; child: ChildProcess; log: () => string }> {
  const child = spawn(
    process.execPath,
    [KEYWARD, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir],
    {
      env: { ...process.env, KEYWARD_LOG_LEVEL: 'info', DATABASE_URL: '' },
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolve({ url: match[1], child, log: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('quick start: keyward serve and init on the embedded SQLite default', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'keyward-quickstart-')), 'data');
  beforeAll(async () => {
    await run(process.execPath, [join(ROOT, 'apps/cli/build.mjs')], { cwd: join(ROOT, 'apps/cli') });
  });
  afterAll(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

  test('an empty database tells the operator how to bootstrap, printing no long-lived secret', async () => {
    const server = await serve(dataDir);
    try {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      expect(server.log()).toMatch(/setup code [A-Z2-7]{4}(-[A-Z2-7]{4}){6}/);
      expect(server.log()).toContain('keyward init');
      expect(server.log()).not.toMatch(/kw_[0-9A-Za-z]{49}/);
      expect(statSync(join(dataDir, 'pepper')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dataDir)).mode & 0o777).toBe(0o700);
    } finally {
      await stop(server.child);
    }
  });

  test('init prints the admin token once as JSON and refuses to run twice', async () => {
    const first = await run(process.execPath, [KEYWARD, 'init', '--data-dir', dataDir, '--json'], {
      env: { ...process.env, DATABASE_URL: '' },
    });
    const result = JSON.parse(first.stdout);
    expect(Object.keys(result).sort()).toEqual(['admin_token', 'project_id', 'user_id']);
    expect(result.admin_token).toMatch(/^kw_[0-9A-Za-z]{49}$/);
    const second = await run(process.execPath, [KEYWARD, 'init', '--data-dir', dataDir, '--json'], {
      env: { ...process.env, DATABASE_URL: '' },
    }).catch((error: { code: number; stderr: string; stdout: string }) => error);
    expect('code' in second && second.code).toBe(1);
    // With --json, failures are JSON on stdout too, so scripts parse one stream.
    expect(JSON.parse(second.stdout).error.message).toContain('already initialised');
    expect(second.stdout).not.toMatch(/kw_[0-9A-Za-z]{49}/);

    const server = await serve(dataDir);
    try {
      const headers = { authorization: `Bearer ${result.admin_token}`, 'content-type': 'application/json' };
      const generated = await fetch(`${server.url}/admin/generate-token`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ description: 'onboarding', created_by: 'ide' }),
      });
      expect(generated.status).toBe(201);
      const { token, id } = (await generated.json()) as { token: string; id: string };
      const me = await fetch(`${server.url}/v1/me`, { headers: { 'x-api-key': token } });
      expect(((await me.json()) as { token_id: string }).token_id).toBe(id);
      expect(server.log()).not.toContain(token);
      expect(server.log()).not.toContain(result.admin_token);
    } finally {
      await stop(server.child);
    }
  });
});
