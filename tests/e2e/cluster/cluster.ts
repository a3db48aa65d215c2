import { type ChildProcess, spawn } from 'node:child_process';
import { createStorage, type Storage } from '@keyward/storage';
import pg from 'pg';
import { buildApp } from '../../../apps/server/src/app.ts';
import type { Config } from '../../../apps/server/src/config.ts';
import { createDeps } from '../../../apps/server/src/deps.ts';
import type { App, Deps } from '../../../apps/server/src/types.ts';
import { type Harness, PG_URL, startHarness } from '../../../apps/server/test/harness.ts';
import { freePort, stopChild, waitForPort } from '../processes.ts';

export type ClusterNode = { app: App; deps: Deps; storage: Storage; url: string };

export type Cluster = {
  nodes: ClusterNode[];
  adminToken: string;
  first: Harness;
  /** Stops node `i` (not the first) as a shutdown does and starts it again on the same database. */
  restartNode(i: number): Promise<void>;
  close(): Promise<void>;
};

async function stopClusterNode(node: ClusterNode): Promise<void> {
  await node.app.close();
  await node.deps.rateLimits.close();
  await node.deps.invalidationBus?.close();
  await node.storage.close();
}

/**
 * `count` Keyward nodes in this process, each with its own connection pool, bus connection and
 * listening socket, on one PostgreSQL schema; `redisUrl(i)` gives node i its Redis (or none).
 * The trust window is the production default unless `config` says otherwise.
 */
export async function startCluster(
  count: number,
  redisUrl: (i: number) => string | undefined,
  config: Partial<Config> = {},
): Promise<Cluster> {
  const shared: Partial<Config> = {
    changeTrustWindowMs: 75,
    failedAuthRateLimits: 'none',
    defaultTokenRateLimits: 'none',
    usageFlushIntervalSeconds: 3600,
    ...config,
  };
  const url0 = redisUrl(0);
  const first = await startHarness({
    database: 'postgres',
    config: { ...shared, ...(url0 ? { redisUrl: url0 } : {}) },
  });
  const nodes: ClusterNode[] = [];
  const listen = async (app: App) => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  };
  nodes.push({ app: first.app, deps: first.deps, storage: first.storage, url: await listen(first.app) });
  const startNode = async (i: number): Promise<ClusterNode> => {
    const storage = createStorage({ kind: 'postgres', url: PG_URL, schema: first.schema ?? '' });
    const url = redisUrl(i);
    const { redisUrl: _, ...base } = first.deps.config;
    const deps = await createDeps({ ...base, ...(url ? { redisUrl: url } : {}) }, { storage });
    const app = await buildApp(deps);
    return { app, deps, storage, url: await listen(app) };
  };
  for (let i = 1; i < count; i++) nodes.push(await startNode(i));
  for (const node of nodes) await node.deps.invalidationBus?.waitUntilConnected(10_000);
  return {
    nodes,
    adminToken: first.adminToken,
    first,
    async restartNode(i) {
      const node = nodes[i];
      if (i < 1 || node === undefined) throw new Error(`node ${i} cannot be restarted`);
      await stopClusterNode(node);
      const started = await startNode(i);
      await started.deps.invalidationBus?.waitUntilConnected(10_000);
      nodes[i] = started;
    },
    async close() {
      for (const node of nodes.slice(1)) await stopClusterNode(node);
      await first.close();
    },
  };
}

/** A private redis-server on a free port (never the machine's own: others' tests use it). */
export async function startPrivateRedis(port?: number): Promise<{
  port: number;
  url: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}> {
  const chosen = port ?? (await freePort());
  let child: ChildProcess | undefined;
  let log = '';
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (d) => {
      log += d;
    });
    await waitForPort(chosen, child, () => log);
  };
  await start();
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    stop: () => stopChild(child),
    async restart() {
      await stopChild(child);
      await start();
    },
  };
}

/** GET /v1/authorize with `token` on `url`: the status. */
export async function authorize(url: string, token: string): Promise<number> {
  const res = await fetch(`${url}/v1/authorize`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

export async function api(url: string, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
    },
    ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Terminates the PostgreSQL backends whose application_name is `name` (a node's LISTEN connection). */
export async function terminateBackends(name: string): Promise<number> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
      [name],
    );
    return rowCount ?? 0;
  } finally {
    await client.end();
  }
}
