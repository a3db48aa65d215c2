import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, type Harness, startHarness } from '../../server/test/harness.ts';

const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(cliDir, 'bin', 'keyward.js');

/** Builds the bundle the tests run; the build writes atomically, so parallel test files may each call it. */
export function buildCli() {
  execFileSync(process.execPath, [join(cliDir, 'build.mjs')], { stdio: 'inherit' });
}

export type RunResult = { code: number | null; stdout: string; stderr: string };

export type RunOptions = { input?: string; env?: Record<string, string> };

/** Runs the real CLI as a child process (async: the server answering it lives in this process). */
export function runCli(args: string[], options: RunOptions & { configHome: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: options.configHome,
        XDG_CONFIG_HOME: options.configHome,
        NO_COLOR: '1',
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export type Server = { h: Harness; url: string; close: () => Promise<void> };

/** A real Keyward (SQLite) listening on a free port of 127.0.0.1. */
export async function startServer(): Promise<Server> {
  const h = await startHarness();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = h.app.server.address() as AddressInfo;
  return { h, url: `http://127.0.0.1:${port}`, close: () => h.close() };
}

export function tempConfigHome(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function createRole(s: Server, name: string, scopes: string[]): Promise<string> {
  const res = await call(s.h.app, 'POST', '/v1/roles', s.h.adminToken, { name, scopes });
  if (res.status !== 201) throw new Error(`role ${name}: ${res.status} ${res.raw}`);
  return res.body.id as string;
}

export async function createToken(s: Server, body: Record<string, unknown>) {
  const res = await call(s.h.app, 'POST', '/v1/tokens', s.h.adminToken, body);
  if (res.status !== 201) throw new Error(`token: ${res.status} ${res.raw}`);
  return { token: res.body.token as string, id: res.body.id as string };
}

export const parseJson = <T>(text: string): T => JSON.parse(text) as T;
