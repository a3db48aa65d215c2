/**
 * Three Keyward processes (the built CLI, `keyward serve`) on one PostgreSQL schema and one Redis:
 * a limit holds exactly across them (counted in PostgreSQL, ADR 0016). Needs `node apps/cli/build.mjs` first, PostgreSQL on
 * 127.0.0.1:5432 and Redis on 127.0.0.1:6379.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimitFields } from '../../../apps/server/test/rate-limit-fields.ts';
import { concurrentAgent, countStatuses, httpGet } from '../../../apps/server/test/rate-limit-http.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = join(ROOT, 'apps/cli/bin/keyward.js');
const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = 'redis://127.0.0.1:6379';
const NODES = 3;
const REQUESTS = 3000;

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject()));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`keyward serve exited (${child.exitCode}):\n${output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`keyward serve did not start at ${url}:\n${output()}`);
}

describe('three nodes sharing PostgreSQL and Redis', () => {
  const schema = `kw_rl_${randomBytes(6).toString('hex')}`;
  const keyPrefix = `kw-e2e-${randomBytes(6).toString('hex')}:`;
  const dataDir = mkdtempSync(join(tmpdir(), 'keyward-rl-e2e-'));
  const env = {
    ...process.env,
    // The schema must exist: created below, named in the connection's search_path.
    DATABASE_URL: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    REDIS_URL,
    KEYWARD_REDIS_KEY_PREFIX: keyPrefix,
    KEYWARD_PEPPER: randomBytes(32).toString('hex'),
    KEYWARD_LOG_LEVEL: 'warn',
    KEYWARD_HOST: '127.0.0.1',
  };
  const servers: { child: ChildProcess; url: string; output: string }[] = [];
  let adminToken = '';

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'apps/cli/dist/keyward.js')))
      throw new Error('run `node apps/cli/build.mjs` first');
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();

    const init = await promisify(execFile)(process.execPath, [CLI, 'init', '--json', '--data-dir', dataDir], {
      env,
    });
    adminToken = JSON.parse(init.stdout).admin_token;
    expect(adminToken).toMatch(/^kw_/);

    for (let i = 0; i < NODES; i++) {
      const port = await freePort();
      const child = spawn(
        process.execPath,
        [CLI, 'serve', '--port', String(port), '--data-dir', join(dataDir, `node-${i}`)],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const server = { child, url: `http://127.0.0.1:${port}`, output: '' };
      child.stdout?.on('data', (chunk: Buffer) => {
        server.output += chunk.toString();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        server.output += chunk.toString();
      });
      servers.push(server);
    }
    await Promise.all(servers.map((s) => waitForHealth(s.url, s.child, () => s.output)));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(
      servers.map(
        ({ child }) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`admits exactly 100 of ${REQUESTS} requests spread over ${NODES} processes`, async () => {
    const [first] = servers;
    const created = await fetch(`${first?.url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      // 100 per minute: one window for the whole run, begun by its first request (ADR 0005).
      body: JSON.stringify({
        name: 'multi-node',
        scopes: ['tokens:read'],
        rate_limits: [{ limit: 100, window_seconds: 60 }],
      }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };

    const agents = servers.map(() => concurrentAgent(100));
    try {
      const answers = await Promise.all(
        Array.from({ length: REQUESTS }, (_, i) => {
          const node = i % NODES;
          return httpGet(
            `${servers[node]?.url}/v1/me`,
            token,
            agents[node] as ReturnType<typeof concurrentAgent>,
          );
        }),
      );
      const logs = servers.map((s, i) => `node ${i}:\n${s.output}`).join('\n');
      expect(countStatuses(answers), logs).toEqual({ 200: 100, 429: REQUESTS - 100 });
      const remaining = (status: number) =>
        answers
          .filter((a) => a.status === status)
          .map((a) => rateLimitFields(a.headers).find((w) => w.name === 'token-60s')?.remaining);
      // Each admitted answer states what is left of the shared window (this node's unspent units
      // included); every refusal states 0.
      expect(remaining(200).every((r) => r !== undefined && r >= 0 && r < 100)).toBe(true);
      expect(new Set(remaining(429))).toEqual(new Set([0]));
    } finally {
      for (const agent of agents) agent.destroy();
    }
  });
});
