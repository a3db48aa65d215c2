import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const KEYWARD = join(ROOT, 'apps/cli/bin/keyward.js');
const ENV = {
  ...process.env,
  DATABASE_URL: '',
  KEYWARD_LOG_LEVEL: 'info',
  KEYWARD_DEFAULT_TOKEN_RATE_LIMITS: 'none',
  // The check below presents many revoked tokens from one address on purpose.
  KEYWARD_FAILED_AUTH_RATE_LIMITS: 'none',
};

function serve(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [KEYWARD, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir],
    {
      env: ENV,
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolve({ url: match[1], child });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
}

describe('kill -9 under write load', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'keyward-crash-')), 'data');
  let admin = '';
  beforeAll(async () => {
    await run(process.execPath, [join(ROOT, 'apps/cli/build.mjs')], { cwd: join(ROOT, 'apps/cli') });
    admin = JSON.parse(
      (await run(process.execPath, [KEYWARD, 'init', '--data-dir', dataDir, '--json'], { env: ENV })).stdout,
    ).admin_token;
  });
  afterAll(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

  test('loses no acknowledged token and resurrects no revoked one', async () => {
    const server = await serve(dataDir);
    const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    const acknowledged: { id: string; token: string }[] = [];
    const revoked: string[] = [];
    // A revoke in flight when the process dies may or may not have been applied: either is fine.
    const inFlight = new Set<string>();
    let stop = false;
    // Four writers: create a token, and revoke every other one, until the process is killed.
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await fetch(`${server.url}/v1/tokens`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ name: `load ${w}-${i}`, scopes: ['jobs:read'] }),
          });
          if (res.status !== 201) continue;
          const made = (await res.json()) as { id: string; token: string };
          acknowledged.push(made);
          if (i % 2 === 0) {
            inFlight.add(made.token);
            const rev = await fetch(`${server.url}/v1/tokens/${made.id}/revoke`, {
              method: 'POST',
              headers,
              body: '{}',
            });
            if (rev.status === 200) revoked.push(made.token);
            inFlight.delete(made.token);
          }
        } catch {
          return; // the server is gone
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    while (acknowledged.length < 60) await new Promise((r) => setTimeout(r, 5));
    server.child.removeAllListeners('exit');
    server.child.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    expect(revoked.length).toBeGreaterThan(10);

    const again = await serve(dataDir);
    try {
      const revokedSet = new Set(revoked);
      for (const { token } of acknowledged.filter((t) => !inFlight.has(t.token))) {
        const res = await fetch(`${again.url}/v1/me`, { headers: { 'x-api-key': token } });
        const body = (await res.json()) as { code?: string };
        if (revokedSet.has(token)) expect(body.code).toBe('TOKEN_REVOKED');
        else expect(res.status).toBe(200);
      }
    } finally {
      again.child.removeAllListeners('exit');
      again.child.kill('SIGTERM');
    }
  });
});
