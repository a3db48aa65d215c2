/** What the bench scripts share: server processes pinned to one CPU, wrk pinned to another. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REDIS_URL = 'redis://127.0.0.1:6379';
export const PINNED = availableParallelism() >= 2 && commandExists('taskset');
export const SERVER_CPU = '0';
export const LOAD_CPU = availableParallelism() >= 2 ? '1' : '0';

export type WrkResult = {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Non-2xx answers plus socket errors. */
  errors: number;
  /** Non-2xx answers alone (the refusal rows expect nothing else). */
  non2xx: number;
  /** CPU time (user + system) of the server process per request, from /proc: robust to noisy neighbours. */
  cpuUsPerRequest: number | null;
};

export function commandExists(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function pinned(cpu: string, command: string, args: string[]): [string, string[]] {
  return PINNED ? ['taskset', ['-c', cpu, command, ...args]] : [command, args];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(50);
  }
  throw new Error(`server did not answer ${url}:\n${log()}`);
}

export type Server = { url: string; pid: number | undefined; stop: () => Promise<void> };

export async function startProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  health: string,
  port: number,
): Promise<Server> {
  const [command, argv] = pinned(SERVER_CPU, process.execPath, args);
  const child = spawn(command, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c) => {
    output += String(c);
  });
  child.stderr?.on('data', (c) => {
    output += String(c);
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}${health}`, child, () => output);
  return {
    url,
    pid: child.pid,
    stop: async () => {
      // A server stopped before has a signal code, not an exit code: stopping it again is a no-op.
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

let nextPort = 18_400 + Math.floor(Math.random() * 1000);

/** A port for one more bench server. */
export const nextBenchPort = (): number => nextPort++;

export function startBare(): Promise<Server> {
  const port = nextPort++;
  return startProcess([join(ROOT, 'bench/bare-server.mjs'), String(port)], process.env, '/', port);
}

/** Any server script that takes its port as its one argument and answers on it (experiments). */
export function startScript(script: string, health = '/'): Promise<Server> {
  const port = nextPort++;
  return startProcess([script, String(port)], process.env, health, port);
}

export type KeywardOptions = {
  dataDir: string;
  pepper: string;
  redisPrefix?: string;
  /** More settings for the server (e.g. rate limits), over the bench defaults. */
  env?: NodeJS.ProcessEnv;
  /** Another checkout's built CLI (its `apps/cli/bin/keyward.js`), to compare builds in one run. */
  cli?: string;
};

export function startKeyward({
  dataDir,
  pepper,
  redisPrefix,
  env: extra,
  cli = join(ROOT, 'apps/cli/bin/keyward.js'),
}: KeywardOptions): Promise<Server> {
  const port = nextPort++;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KEYWARD_PEPPER: pepper,
    KEYWARD_LOG_LEVEL: 'warn',
    KEYWARD_DEFAULT_TOKEN_RATE_LIMITS: 'none',
    KEYWARD_FAILED_AUTH_RATE_LIMITS: 'none',
    ...(redisPrefix ? { REDIS_URL, KEYWARD_REDIS_KEY_PREFIX: redisPrefix } : {}),
    ...extra,
  };
  return startProcess(
    [cli, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir],
    env,
    '/healthz',
    port,
  );
}

function toMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) throw new Error(`unreadable wrk latency "${text}"`);
  const value = Number(match[1]);
  return match[2] === 'us'
    ? value / 1000
    : match[2] === 'ms'
      ? value
      : match[2] === 's'
        ? value * 1000
        : value * 60_000;
}

/** CPU ticks (user + system) of a process; Linux only, null elsewhere. */
function cpuTicks(pid: number | undefined): number | null {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return null;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
}
const TICKS_PER_SECOND = 100;

export type WrkLoad = { threads: number; connections: number };

export function wrk(
  load: WrkLoad,
  url: string,
  seconds: number,
  headers: Record<string, string>,
  script?: string,
  pid?: number,
): WrkResult {
  const args = [
    `-t${load.threads}`,
    `-c${load.connections}`,
    `-d${seconds}s`,
    '--latency',
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    ...(script ? ['-s', script] : []),
    url,
  ];
  const [command, argv] = pinned(LOAD_CPU, 'wrk', args);
  const before = cpuTicks(pid);
  const out = execFileSync(command, argv, { encoding: 'utf8' });
  const after = cpuTicks(pid);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = /\s50%\s+(\S+)/.exec(out)?.[1];
  const p99 = /\s99%\s+(\S+)/.exec(out)?.[1];
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const errors =
    non2xx +
    [...out.matchAll(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/g)]
      .flatMap((m) => m.slice(1).map(Number))
      .reduce((a, b) => a + b, 0);
  if (!rps || !p50 || !p99) throw new Error(`unreadable wrk output:\n${out}`);
  const cpuUsPerRequest =
    before === null || after === null || !requests
      ? null
      : ((after - before) / TICKS_PER_SECOND / requests) * 1e6;
  return { rps, p50Ms: toMs(p50), p99Ms: toMs(p99), requests, errors, non2xx, cpuUsPerRequest };
}
