/**
 * `node --import tsx bench/door.ts`: the gateway door alone against the bare node:http ceiling,
 * `wrk -t1 -c32`, interleaved rounds, best of each (a quick loop for work on the door; `npm run
 * bench` has the full table). Extra servers to compare with can be named in BENCH_DOOR_EXTRA
 * (`name=path/to/server.mjs`, comma-separated; each gets a port as its argument), and Keyward
 * servers with other settings in BENCH_DOOR_VARIANTS (`{"name": {"ENV_VAR": "value"}}`), and another
 * built checkout in BENCH_DOOR_COMPARE (a directory), so a change is measured against its
 * predecessor in one run.
 * Figures, never assertions.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDatabase } from './seed.ts';
import { ROOT, type Server, startBare, startKeyward, startScript, type WrkResult, wrk } from './tools.ts';

const LOAD = { threads: 1, connections: 32 };
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function main(): Promise<void> {
  if (process.env.BENCH_NO_BUILD === undefined)
    execFileSync(process.execPath, [join(ROOT, 'apps/cli/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const work = mkdtempSync(join(tmpdir(), 'keyward-door-'));
  const servers: Server[] = [];
  try {
    const dataDir = join(work, 'data');
    mkdirSync(dataDir);
    const pepper = randomBytes(32).toString('hex');
    const tokens = await seedDatabase(dataDir, pepper, 1_000);
    const gateway = { authorization: `Bearer ${tokens.gateway}`, 'x-keyward-required-scopes': 'api:read' };
    const bare = await startBare();
    servers.push(bare);
    const keyward = await startKeyward({
      dataDir,
      pepper,
      env: process.env.BENCH_ENV ? JSON.parse(process.env.BENCH_ENV) : {},
    });
    servers.push(keyward);
    const rows: { name: string; server: Server; path: string; headers: Record<string, string> }[] = [
      { name: 'bare', server: bare, path: '/', headers: {} },
      { name: 'authorize', server: keyward, path: '/v1/authorize', headers: gateway },
    ];
    // More Keyward servers with other settings: BENCH_DOOR_VARIANTS='{"name":{"KEY":"value"}}'.
    for (const [name, env] of Object.entries(
      JSON.parse(process.env.BENCH_DOOR_VARIANTS ?? '{}') as Record<string, NodeJS.ProcessEnv>,
    )) {
      const server = await startKeyward({ dataDir, pepper, env });
      servers.push(server);
      rows.push({ name, server, path: '/v1/authorize', headers: gateway });
    }
    // Another checkout (built: `node apps/cli/build.mjs` there) as its own row, e.g. the commit before.
    const other = process.env.BENCH_DOOR_COMPARE;
    if (other !== undefined) {
      const server = await startKeyward({ dataDir, pepper, cli: join(other, 'apps/cli/bin/keyward.js') });
      servers.push(server);
      rows.push({ name: 'compared', server, path: '/v1/authorize', headers: gateway });
    }
    for (const extra of (process.env.BENCH_DOOR_EXTRA ?? '').split(',').filter((s) => s !== '')) {
      const [name = '', script = ''] = extra.split('=');
      const server = await startScript(script);
      servers.push(server);
      rows.push({ name, server, path: '/v1/authorize', headers: gateway });
    }
    for (const r of rows) wrk(LOAD, `${r.server.url}${r.path}`, 2, r.headers);
    const results: Record<string, WrkResult[]> = {};
    for (let round = 0; round < ROUNDS; round++)
      for (const r of rows) {
        const result = wrk(LOAD, `${r.server.url}${r.path}`, SECONDS, r.headers, undefined, r.server.pid);
        if (result.non2xx > 0) throw new Error(`${r.name}: ${result.non2xx} non-2xx responses`);
        results[r.name] = [...(results[r.name] ?? []), result];
      }
    const best = (name: string) => (results[name] ?? []).reduce((a, b) => (b.rps > a.rps ? b : a));
    const base = best('bare');
    for (const r of rows) {
      const b = best(r.name);
      const cpu = (results[r.name] ?? []).map((x) => x.cpuUsPerRequest ?? 0).sort((x, y) => x - y)[1] ?? 0;
      process.stdout.write(
        `${r.name.padEnd(12)} ${Math.round(b.rps).toString().padStart(7)} req/s  p50 ${b.p50Ms.toFixed(2)}  p99 ${b.p99Ms.toFixed(2)} ms  ` +
          `${(b.rps / base.rps).toFixed(2)}× rps  ${(b.p99Ms / base.p99Ms).toFixed(2)}× p99  cpu ${cpu.toFixed(1)} µs/req  ` +
          `all: ${(results[r.name] ?? []).map((x) => Math.round(x.rps)).join(' ')}\n`,
      );
    }
    process.stdout.write(`load ${loadavg()[0]?.toFixed(1)}\n`);
  } finally {
    for (const s of servers) await s.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
