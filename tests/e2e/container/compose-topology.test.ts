/**
 * compose.yaml's topology as processes (its service names cannot be resolved in this machine's
 * podman networks): three Keyward nodes on one PostgreSQL schema and one Redis, the example API,
 * and nginx running deploy/nginx.conf with the compose names swapped for local ports.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EchoApi, startEchoApi } from '../../../examples/gateway-api/echo-api.ts';
import {
  createNode,
  initDatabase,
  type Node,
  nodeEnv,
  startNode,
  stopNode,
  waitHealthy,
} from '../chaos/cluster.ts';
import { freePort, stopChild, waitForPort } from '../processes.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = 'redis://127.0.0.1:6379';
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('compose.yaml', () => {
  test('declares three Keyward nodes, PostgreSQL, Redis, the example API and nginx', () => {
    const compose = read('compose.yaml');
    const services = compose.slice(compose.indexOf('\nservices:'), compose.indexOf('\nsecrets:'));
    const names = [...services.matchAll(/^ {2}([a-z0-9-]+):$/gm)].map((m) => m[1]);
    expect(names).toEqual(['keyward-1', 'keyward-2', 'keyward-3', 'postgres', 'redis', 'api', 'nginx']);
    expect(compose).toContain('./deploy/nginx.conf:/etc/keyward/nginx.conf:ro');
    expect(compose).toContain('target: gateway-api');
    expect(compose).toContain('KEYWARD_PEPPER_FILE: /run/secrets/keyward_pepper');
  });

  test('deploy/nginx.conf is docs/gateway/nginx.conf with the compose services as upstreams', () => {
    const docs = read('docs/gateway/nginx.conf');
    const deploy = read('deploy/nginx.conf');
    const body = (conf: string) => conf.slice(conf.indexOf('worker_processes'));
    expect(body(deploy)).toBe(
      body(docs)
        .replace(
          '    server 127.0.0.1:8080;\n',
          '    server keyward-1:8080;\n    server keyward-2:8080;\n    server keyward-3:8080;\n',
        )
        .replace('    server 127.0.0.1:3000;\n', '    server api:3000;\n'),
    );
  });
});

describe('the compose topology as processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-topology-'));
  const schema = `kw_topo_${randomBytes(6).toString('hex')}`;
  const prefix = `kw-topo-${randomBytes(6).toString('hex')}:`;
  const nodes: Node[] = [];
  let api: EchoApi;
  let nginx: ChildProcess | undefined;
  let gateway = '';
  let adminToken = '';

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const env = nodeEnv({
      DATABASE_URL: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      REDIS_URL,
      KEYWARD_REDIS_KEY_PREFIX: prefix,
      KEYWARD_PEPPER: randomBytes(32).toString('hex'),
      KEYWARD_TRUSTED_PROXIES: '127.0.0.1',
    });
    adminToken = await initDatabase(env, join(dir, 'init'));
    for (let i = 0; i < 3; i++) nodes.push(await createNode(i, env));
    for (const node of nodes) startNode(node, dir);
    await Promise.all(nodes.map((n) => waitHealthy(n)));
    api = await startEchoApi(0);

    const port = await freePort();
    chmodSync(dir, 0o755); // nginx workers drop to an unprivileged user when started as root
    let conf = read('deploy/nginx.conf')
      .replace('listen 8000;', `listen 127.0.0.1:${port};`)
      .replace('server api:3000;', `server 127.0.0.1:${api.port};`)
      .replace('worker_processes auto;', 'worker_processes 1;');
    for (const node of nodes)
      conf = conf.replace(`server keyward-${node.index + 1}:8080;`, `server 127.0.0.1:${node.port};`);
    writeFileSync(join(dir, 'nginx.conf'), conf);
    nginx = spawn(
      '/usr/sbin/nginx',
      ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let log = '';
    nginx.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    await waitForPort(port, nginx, () => log);
    gateway = `http://127.0.0.1:${port}`;
  }, 180_000);

  afterAll(async () => {
    await stopChild(nginx);
    await api?.close();
    await Promise.all(nodes.map(stopNode));
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a token reaches the API through nginx on every node; revoked on one node, refused by all', async () => {
    const created = await fetch(`${nodes[0]?.url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'through nginx', scopes: ['api:read'] }),
    });
    expect(created.status).toBe(201);
    const { token, id } = (await created.json()) as { token: string; id: string };
    // nginx spreads the authorize subrequests round-robin: six requests reach each node twice.
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${gateway}/api/orders`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const echoed = (await res.json()) as { keyward: Record<string, string>; saw_authorization: boolean };
      expect(echoed.keyward['x-keyward-token-id']).toBe(id);
      expect(echoed.saw_authorization).toBe(false);
    }
    const revoked = await fetch(`${nodes[2]?.url}/v1/tokens/${id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(revoked.status).toBe(200);
    // The promise across nodes: refused everywhere within 100 ms of the acknowledgement.
    await sleep(100);
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${gateway}/api/orders`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
    }
  });
});
