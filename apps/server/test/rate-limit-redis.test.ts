import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createDeps } from '../src/deps.ts';
import type { App, Deps } from '../src/types.ts';
import { call, type Harness, startHarness } from './harness.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** A private, non-persistent redis-server; resolves once it accepts connections. */
function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}):\n${output}`));
    });
  });
}

async function killRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** A logger whose lines the test can read (the fallback must be reported once per outage). */
function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const FALLBACK_MESSAGE = /Redis unreachable/;
const RECOVER_MESSAGE = /Redis is back/;

describe('rate limits while Redis goes away and comes back', () => {
  let redisPort = 0;
  let redis: ChildProcess | null = null;
  let h: Harness;
  let nodeB: { app: App; deps: Deps };
  const logA = capturingLogger();
  const logB = capturingLogger();

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    h = await startHarness({
      config: {
        redisUrl: `redis://127.0.0.1:${redisPort}`,
        redisKeyPrefix: `kw-test-${randomBytes(6).toString('hex')}:`,
      },
      logger: logA.logger,
    });
    // A second node: same database, same configuration, its own limiter and connection.
    const deps = await createDeps(h.deps.config, { storage: h.storage, logger: logB.logger });
    nodeB = { app: await buildApp(deps), deps };
    await nodeB.app.ready();
  });

  afterAll(async () => {
    await nodeB?.app.close();
    await nodeB?.deps.rateLimits.close();
    await nodeB?.deps.invalidationBus?.close();
    await h?.close();
    if (redis) await killRedis(redis);
  });

  it('shares limits, falls back per node without failing a request, then shares again', async () => {
    const nodes = [h.app, nodeB.app];
    const created = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'shared',
      scopes: ['tokens:read'],
      rate_limits: [{ limit: 10, window_seconds: 86_400 }],
    });
    expect(created.status, created.raw).toBe(201);
    const token = created.body.token as string;
    const me = async (app: App) => (await call(app, 'GET', '/v1/me', token)).status;
    const alternate = async (count: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < count; i++) statuses.push(await me(nodes[i % 2] as App));
      return statuses;
    };

    // Shared: 14 requests alternating between the nodes, 10 admitted in all.
    expect(await alternate(14)).toEqual([...Array(10).fill(200), ...Array(4).fill(429)]);
    expect([h.deps.rateLimits.mode(), nodeB.deps.rateLimits.mode()]).toEqual(['redis', 'redis']);

    // Redis dies: every request is still answered (no 500), each node admits its share of the
    // limit, floor(10 / 2 live nodes) = 5, so the two together never admit more than the limit.
    // (each node counts the live nodes from their heartbeats, once a second)
    for (const until = Date.now() + 5_000; Date.now() < until; await sleep(50)) {
      if (h.deps.invalidationBus?.liveNodes() === 2 && nodeB.deps.invalidationBus?.liveNodes() === 2) break;
    }
    expect([h.deps.invalidationBus?.liveNodes(), nodeB.deps.invalidationBus?.liveNodes()]).toEqual([2, 2]);
    await killRedis(redis as ChildProcess);
    redis = null;
    for (const app of nodes) {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push(await me(app));
      expect(statuses).toEqual([...Array(5).fill(200), ...Array(7).fill(429)]);
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
    }
    for (const deps of [h.deps, nodeB.deps]) {
      expect(deps.rateLimits.mode()).toBe('fallback');
      expect(deps.rateLimits.fallbackChecks()).toBeGreaterThanOrEqual(12);
    }
    // Reported once per node and outage, not once per request.
    for (const { lines } of [logA, logB]) {
      expect(lines.filter((l) => FALLBACK_MESSAGE.test(l.msg))).toHaveLength(1);
    }

    // Redis is back (empty: it keeps nothing on disk). Wait until both nodes use it again.
    redis = await startRedis(redisPort);
    const deadline = Date.now() + 20_000;
    while ([h.deps, nodeB.deps].some((d) => d.rateLimits.mode() !== 'redis')) {
      if (Date.now() > deadline) throw new Error('the nodes did not return to Redis');
      for (const app of nodes) {
        const res = await call(app, 'GET', '/v1/me', h.adminToken);
        expect([200, 429]).toContain(res.status);
      }
      await sleep(100);
    }
    for (const { lines } of [logA, logB]) {
      expect(lines.filter((l) => RECOVER_MESSAGE.test(l.msg))).toHaveLength(1);
    }
    // Until the heartbeats say no node is in fallback any more, the shared count leaves its share.
    for (const until = Date.now() + 5_000; Date.now() < until; await sleep(50)) {
      if ([h.deps, nodeB.deps].every((d) => d.invalidationBus?.othersInFallback() === 0)) break;
    }
    // Shared again: the per-node fallback states (exhausted) no longer decide; Redis's fresh one does.
    expect(await alternate(14)).toEqual([...Array(10).fill(200), ...Array(4).fill(429)]);
  });
});
