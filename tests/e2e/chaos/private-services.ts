/**
 * A PostgreSQL cluster and a redis-server of the chaos test's own, on free ports in a temporary
 * directory: they are stopped, killed and cut off on purpose, so the machine's shared PostgreSQL
 * and Redis (which other tests use) are never touched.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort, waitForPort } from '../processes.ts';

const run = promisify(execFile);
const IS_ROOT = process.getuid?.() === 0;

/** Debian keeps initdb and pg_ctl out of PATH, under /usr/lib/postgresql/<version>/bin. */
function postgresBin(name: string): string {
  const onPath = (process.env.PATH ?? '').split(':').find((dir) => existsSync(join(dir, name)));
  if (onPath) return join(onPath, name);
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
    : [];
  const found = versions.map((v) => `/usr/lib/postgresql/${v}/bin/${name}`).find((path) => existsSync(path));
  if (!found) throw new Error(`${name} not found (Debian package postgresql)`);
  return found;
}

/** initdb refuses to run as root: then the cluster belongs to the `postgres` user. */
function asPostgres(name: string, args: string[]) {
  const command = postgresBin(name);
  const [file, argv] = IS_ROOT ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return run(file, argv, { timeout: 60_000 });
}

export type PrivatePostgres = {
  port: number;
  url: (user?: string, database?: string) => string;
  /** Stops at once (`-m immediate`: no checkpoint, like a crash; committed work is in the WAL). */
  stop: () => Promise<void>;
  start: () => Promise<void>;
  query: (sql: string, params?: unknown[]) => Promise<pg.QueryResult>;
  destroy: () => Promise<void>;
};

export async function startPrivatePostgres(dir: string): Promise<PrivatePostgres> {
  const home = join(dir, 'postgres');
  mkdirSync(home, { recursive: true });
  if (IS_ROOT) {
    const { uid, gid } = await run('id', ['-u', 'postgres']).then(async ({ stdout }) => ({
      uid: Number(stdout),
      gid: Number((await run('id', ['-g', 'postgres'])).stdout),
    }));
    chownSync(dir, uid, gid);
    chownSync(home, uid, gid);
  }
  const data = join(home, 'data');
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${home}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=200',
    // A process crash keeps the OS page cache: durability under a kill needs no fsync.
    '-c fsync=off',
  ].join(' ');
  const start = async () => {
    await asPostgres('pg_ctl', [
      '-D',
      data,
      '-l',
      join(home, 'log'),
      '-o',
      options,
      '-w',
      '-t',
      '60',
      'start',
    ]);
  };
  const stop = async () => {
    await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  };
  await start();
  const url = (user = 'postgres', database = 'postgres') =>
    `postgres://${user}@127.0.0.1:${port}/${database}`;
  const query = async (sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      return await client.query(sql, params);
    } finally {
      await client.end();
    }
  };
  return {
    port,
    url,
    stop,
    start,
    query,
    destroy: async () => {
      await stop().catch(() => undefined);
    },
  };
}

export type PrivateRedis = {
  port: number;
  url: (user: string) => string;
  /** SIGTERM: redis saves its dataset on shutdown (counters survive, as with a real restart). */
  stop: () => Promise<void>;
  start: () => Promise<void>;
  /** Disables `user` and drops its connections: a node partitioned from Redis. */
  cut: (user: string) => Promise<void>;
  restore: (user: string) => Promise<void>;
  destroy: () => Promise<void>;
};

const REDIS_PASSWORD = 'chaos-test-only';

export async function startPrivateRedis(dir: string, users: string[]): Promise<PrivateRedis> {
  const home = join(dir, 'redis');
  mkdirSync(home, { recursive: true });
  const port = await freePort();
  const conf = join(home, 'redis.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${home}`,
      'save 60 1',
      'appendonly no',
      'daemonize no',
      'user default on nopass ~* &* +@all',
      ...users.map((u) => `user ${u} on >${REDIS_PASSWORD} ~* &* +@all`),
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  let log = '';
  const start = async () => {
    child = spawn('redis-server', [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-20_000);
    });
    child.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-20_000);
    });
    await waitForPort(port, child, () => log);
  };
  const stop = async () => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((r) => current.once('exit', r));
    current.kill('SIGTERM');
    await exited;
  };
  const admin = async <T>(work: (redis: Redis) => Promise<T>): Promise<T> => {
    const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, lazyConnect: true });
    await redis.connect();
    try {
      return await work(redis);
    } finally {
      redis.disconnect();
    }
  };
  await start();
  return {
    port,
    url: (user) => `redis://${user}:${REDIS_PASSWORD}@127.0.0.1:${port}`,
    stop,
    start,
    cut: (user) =>
      admin(async (redis) => {
        await redis.call('ACL', 'SETUSER', user, 'off');
        await redis.call('CLIENT', 'KILL', 'USER', user);
      }),
    restore: (user) => admin((redis) => redis.call('ACL', 'SETUSER', user, 'on')).then(() => undefined),
    destroy: stop,
  };
}
