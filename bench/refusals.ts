/**
 * `npm run bench:refusals`: floods of refused checks at the gateway door against admitted checks of
 * the same door, and how many error records each flood wrote. A token past its limit (429) and a
 * token lacking the required scope (403), `wrk -t1 -c32`, interleaved rounds, best of each.
 * Figures, never assertions.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { seedDatabase } from './seed.ts';
import {
  commandExists,
  LOAD_CPU,
  PINNED,
  ROOT,
  SERVER_CPU,
  startKeyward,
  type WrkResult,
  wrk,
} from './tools.ts';

const LOAD = { threads: 1, connections: 32 };
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = 3;

type Flood = {
  key: string;
  name: string;
  token: 'gateway' | 'limited' | 'exhausted';
  scopes: string;
  status: number;
  /** The admitted row a refusal compares with: the same door, the same token setup. */
  vs: string;
};

const FLOODS: Flood[] = [
  {
    key: 'admitted',
    name: 'admitted (200)',
    token: 'gateway',
    scopes: 'api:read',
    status: 200,
    vs: 'admitted',
  },
  {
    key: 'admittedLimited',
    name: 'admitted, token with an own limit (200)',
    token: 'limited',
    scopes: 'api:read',
    status: 200,
    vs: 'admitted',
  },
  {
    key: 'limited',
    name: 'token past its own limit (429)',
    token: 'exhausted',
    scopes: 'api:read',
    status: 429,
    vs: 'admittedLimited',
  },
  {
    key: 'scope',
    name: 'token lacking the scope (403)',
    token: 'gateway',
    scopes: 'api:write',
    status: 403,
    vs: 'admitted',
  },
];

type Run = WrkResult & { recordsWritten: number };

async function main(): Promise<void> {
  if (!commandExists('wrk')) throw new Error('wrk is not installed (apt-get install wrk)');
  process.stdout.write('Building the CLI bundle…\n');
  execFileSync(process.execPath, [join(ROOT, 'apps/cli/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const work = mkdtempSync(join(tmpdir(), 'keyward-bench-refusals-'));
  const pepper = randomBytes(32).toString('hex');
  const started = Date.now();
  const loadBefore = loadavg()[0] ?? 0;
  const tokens = await seedDatabase(work, pepper, 1_000);
  const db = new Database(join(work, 'keyward.db'), { readonly: true });
  const records = () => (db.prepare('select count(*) as n from error_records').get() as { n: number }).n;
  const server = await startKeyward({ dataDir: work, pepper });
  try {
    // The one request its limit allows; every later check of this token is refused.
    await fetch(`${server.url}/v1/authorize`, { headers: { authorization: `Bearer ${tokens.exhausted}` } });
    const headersOf = (f: Flood) => ({
      authorization: `Bearer ${tokens[f.token]}`,
      'x-keyward-required-scopes': f.scopes,
    });
    const url = `${server.url}/v1/authorize`;
    for (const f of FLOODS) wrk(LOAD, url, WARMUP_SECONDS, headersOf(f));
    const runs: Record<string, Run[]> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const f of FLOODS) {
        process.stdout.write(`round ${round + 1}: ${f.name}…\n`);
        const before = records();
        const result = wrk(LOAD, url, SECONDS, headersOf(f), undefined, server.pid);
        const refused = f.status !== 200;
        const socketErrors = result.errors - result.non2xx;
        if (socketErrors > 0 || (refused ? result.non2xx !== result.requests : result.non2xx > 0))
          throw new Error(`${f.key}: unexpected answers or socket errors; the row is meaningless`);
        runs[f.key] = [...(runs[f.key] ?? []), { ...result, recordsWritten: records() - before }];
      }
    }
    await server.stop();
    const occurrences = (
      db.prepare('select coalesce(sum(count), 0) as n from error_records').get() as { n: number }
    ).n;

    const best = (key: string): Run => {
      const list = runs[key] ?? [];
      const top = list.reduce((a, b) => (b.rps > a.rps ? b : a));
      const cpu = list.map((r) => r.cpuUsPerRequest ?? 0).sort((a, b) => a - b);
      return { ...top, cpuUsPerRequest: cpu[Math.floor(cpu.length / 2)] ?? null };
    };
    const refusedTotal = FLOODS.filter((f) => f.status !== 200)
      .flatMap((f) => runs[f.key] ?? [])
      .reduce((n, r) => n + r.requests, 0);
    const rows = FLOODS.map((f) => {
      const r = best(f.key);
      return {
        name: f.name,
        ...r,
        vs: FLOODS.find((v) => v.key === f.vs)?.name ?? f.vs,
        ratio: r.rps / best(f.vs).rps,
        recordShare: r.requests === 0 ? 0 : r.recordsWritten / r.requests,
      };
    });
    const lines = [
      '| GET /v1/authorize | req/s | p50 ms | p99 ms | ratio | vs | requests | error records written | per request | server CPU µs/req |',
      '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
      ...rows.map(
        (r) =>
          `| ${r.name} | ${Math.round(r.rps).toLocaleString('en-US')} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ` +
          `${r.ratio.toFixed(2)}× | ${r.vs} | ${r.requests.toLocaleString('en-US')} | ${r.recordsWritten} | ` +
          `${(r.recordShare * 100).toFixed(3)}% | ${r.cpuUsPerRequest?.toFixed(1) ?? '–'} |`,
      ),
    ];
    const loadAfter = loadavg()[0] ?? 0;
    const summary = [
      '',
      ...lines,
      '',
      `wrk -t${LOAD.threads} -c${LOAD.connections} -d${SECONDS}s, best of ${ROUNDS} interleaved rounds after a ` +
        `${WARMUP_SECONDS} s warm-up; ` +
        (PINNED ? `server pinned to CPU ${SERVER_CPU}, wrk to CPU ${LOAD_CPU}` : 'not pinned') +
        `; ${cpus()[0]?.model ?? 'unknown CPU'} × ${availableParallelism()}; load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}.`,
      `Refusals in all rounds (warm-ups excluded): ${refusedTotal.toLocaleString('en-US')}; occurrences counted in ` +
        `error records after the server stopped (warm-ups included): ${occurrences.toLocaleString('en-US')}; ` +
        `records: ${records()}.`,
      '',
    ].join('\n');
    process.stdout.write(summary);
    const stamp = new Date(started)
      .toISOString()
      .replaceAll(':', '-')
      .replace(/\.\d+Z$/, 'Z');
    const resultsDir = join(ROOT, 'bench/results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `refusals-${stamp}.json`);
    const machine = {
      cpu: cpus()[0]?.model,
      cpus: availableParallelism(),
      node: process.version,
      pinned: PINNED,
    };
    writeFileSync(
      file,
      `${JSON.stringify({ startedAt: new Date(started).toISOString(), machine, load: LOAD, seconds: SECONDS, rounds: ROUNDS, rows, refusedTotal, occurrences, loadAverage: [loadBefore, loadAfter] }, null, 2)}\n`,
    );
    process.stdout.write(`Results: ${file}\n`);
  } finally {
    await server.stop();
    db.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
