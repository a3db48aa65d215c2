/**
 * `node --import tsx bench/sdk.ts`: the provider SDK's figures (issue 10). Figures, never assertions.
 *   1. in-process cached `verify` against `sha256 + Map.get` (best of 5 × 200,000);
 *   2. a Fastify route with the Keyward middleware against the same route without it, same run
 *      (child processes pinned to CPU 0, wrk -t1 -c32 on CPU 1, interleaved rounds, best of 3);
 *   3. network calls per 10,000 cached requests (a token without limits, and one with a limit:
 *      quota leases).
 * Writes bench/results/sdk-<timestamp>.json.
 */
import { execFileSync } from 'node:child_process';
import { createHash, hash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyward } from '@keyward/sdk';
import { seedDatabase } from './seed.ts';
import {
  nextBenchPort,
  ROOT,
  type Server,
  startKeyward,
  startProcess,
  type WrkResult,
  wrk,
} from './tools.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function bestNsPerOp(rounds: number, iterations: number, run: (n: number) => Promise<void> | void) {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const started = process.hrtime.bigint();
    await run(iterations);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / iterations);
  }
  return best;
}

execFileSync(process.execPath, [join(ROOT, 'apps/cli/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
execFileSync(process.execPath, [join(ROOT, 'packages/sdk/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
const dataDir = mkdtempSync(join(tmpdir(), 'keyward-sdk-bench-'));
const pepper = randomBytes(32).toString('hex');
const tokens = await seedDatabase(dataDir, pepper, 1000);
const keyward = await startKeyward({ dataDir, pepper });
const servers: Server[] = [keyward];
try {
  // 1 and 3: in this process.
  const kw = createKeyward({ baseUrl: keyward.url, token: tokens.verifier });
  if (!(await kw.ready(10_000))) throw new Error('the change stream did not become ready');
  const iterations = 200_000;
  await kw.verify(tokens.gateway, ['api:read']);
  const verifyNs = await bestNsPerOp(5, iterations, async (n) => {
    for (let i = 0; i < n; i++) await kw.verify(tokens.gateway, ['api:read']);
  });
  const map = new Map([[createHash('sha256').update(tokens.gateway).digest('base64'), { ok: true }]]);
  let sink = 0;
  const baselineNs = await bestNsPerOp(5, iterations, (n) => {
    for (let i = 0; i < n; i++)
      if (map.get(createHash('sha256').update(tokens.gateway).digest('base64'))) sink++;
  });
  const oneShotNs = await bestNsPerOp(5, iterations, (n) => {
    for (let i = 0; i < n; i++) if (map.get(hash('sha256', tokens.gateway, 'base64'))) sink++;
  });
  const callsPer10k = async (token: string) => {
    await kw.verify(token, ['api:read']);
    const before = kw.stats().networkCalls;
    for (let i = 0; i < 10_000; i++) await kw.verify(token, ['api:read']);
    return kw.stats().networkCalls - before;
  };
  const unlimitedCalls = await callsPer10k(tokens.gateway);
  const leasedCalls = await callsPer10k(tokens.limited);
  await kw.close();

  // 2: the same route with and without the middleware, in child processes.
  const route = async (mode: 'with' | 'without') => {
    const port = nextBenchPort();
    const env = { ...process.env, KEYWARD_URL: keyward.url, KEYWARD_TOKEN: tokens.verifier };
    const server = await startProcess(
      [join(ROOT, 'bench/sdk-route-server.mjs'), mode, String(port)],
      env,
      '/healthz',
      port,
    );
    servers.push(server);
    return server;
  };
  const without = await route('without');
  const withMiddleware = await route('with');
  const load = { threads: 1, connections: 32 };
  const auth = { authorization: `Bearer ${tokens.gateway}` };
  const leased = { authorization: `Bearer ${tokens.limited}` };
  const scenarios: [string, string, Record<string, string>, number | undefined][] = [
    ['route without middleware', without.url, auth, without.pid],
    ['route with middleware (token without limits)', withMiddleware.url, auth, withMiddleware.pid],
    ['route with middleware (token with a limit: leases)', withMiddleware.url, leased, withMiddleware.pid],
  ];
  for (const [, url, headers] of scenarios) wrk(load, `${url}/v1/instances`, 3, headers);
  const results = new Map<string, WrkResult>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, url, headers, pid] of scenarios) {
      const result = wrk(load, `${url}/v1/instances`, SECONDS, headers, undefined, pid);
      if (result.errors > 0) throw new Error(`${name}: ${result.errors} errors`);
      const best = results.get(name);
      if (!best || result.rps > best.rps) results.set(name, result);
    }
  }
  const base = results.get('route without middleware')?.rps ?? 1;
  const report = {
    at: new Date().toISOString(),
    machine: { cpus: availableParallelism(), loadavg: loadavg() },
    inProcess: {
      iterations,
      verifyNsPerOp: verifyNs,
      sha256MapNsPerOp: baselineNs,
      ratio: verifyNs / baselineNs,
    },
    networkCallsPer10kCached: { tokenWithoutLimits: unlimitedCalls, tokenWithLimit: leasedCalls },
    fastifyRoute: Object.fromEntries([...results].map(([name, r]) => [name, { ...r, ratio: r.rps / base }])),
  };
  const lines = [
    `in-process cached verify: ${verifyNs.toFixed(0)} ns/op; sha256 + Map.get: ${baselineNs.toFixed(0)} ns/op; ratio ${(verifyNs / baselineNs).toFixed(2)}×; one-shot crypto.hash + Map.get: ${oneShotNs.toFixed(0)} ns/op, ratio ${(verifyNs / oneShotNs).toFixed(2)}× (sink ${sink > 0})`,
    `network calls per 10,000 cached requests: ${unlimitedCalls} (token without limits), ${leasedCalls} (token with a limit, quota leases)`,
    ...[...results].map(
      ([name, r]) =>
        `${name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${(r.rps / base).toFixed(2)}×`,
    ),
    `load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, `bench/results/sdk-${report.at.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${file}\n`);
} finally {
  for (const server of servers.reverse()) await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
