/** Keyward nodes as processes (the built CLI's `keyward serve`), each killable and restartable. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '../processes.ts';

const run = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url).pathname;
export const KEYWARD_CLI = join(ROOT, 'apps/cli/bin/keyward.js');

export type Node = {
  index: number;
  url: string;
  port: number;
  env: NodeJS.ProcessEnv;
  child?: ChildProcess;
  /** Every start's output, kept short: the tail is what explains a failure. */
  log: string;
  starts: number;
};

export function nodeEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    KEYWARD_LOG_LEVEL: 'warn',
    KEYWARD_HOST: '127.0.0.1',
    // The load presents revoked tokens from one address on purpose, and must not hit default limits.
    KEYWARD_FAILED_AUTH_RATE_LIMITS: 'none',
    KEYWARD_DEFAULT_TOKEN_RATE_LIMITS: 'none',
    ...extra,
  };
}

export async function initDatabase(env: NodeJS.ProcessEnv, dataDir: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    [KEYWARD_CLI, 'init', '--json', '--no-password', '--data-dir', dataDir],
    {
      env,
      timeout: 120_000,
    },
  );
  return (JSON.parse(stdout) as { admin_token: string }).admin_token;
}

export async function createNode(index: number, env: NodeJS.ProcessEnv): Promise<Node> {
  const port = await freePort();
  return { index, port, url: `http://127.0.0.1:${port}`, env, log: '', starts: 0 };
}

export function startNode(node: Node, dataDir: string): void {
  const child = spawn(
    process.execPath,
    [KEYWARD_CLI, 'serve', '--port', String(node.port), '--data-dir', join(dataDir, `node-${node.index}`)],
    { env: node.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  node.starts += 1;
  const append = (chunk: Buffer) => {
    node.log = (node.log + chunk.toString()).slice(-40_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  node.child = child;
}

export async function waitHealthy(node: Node, timeoutMs = 90_000): Promise<number> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
    const child = node.child;
    if (!child || child.exitCode !== null) throw new Error(`node ${node.index} exited:\n${node.log}`);
    const ok = await fetch(`${node.url}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return Date.now();
  }
  throw new Error(`node ${node.index} did not become healthy:\n${node.log}`);
}

export async function killNode(node: Node): Promise<void> {
  const child = node.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

export async function stopNode(node: Node): Promise<void> {
  const child = node.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  child.kill('SIGTERM');
  await exited;
  clearTimeout(timer);
}
