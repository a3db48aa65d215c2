import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type RunningServer, startServer as startKeyward } from '@keyward/server';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { call, type Harness, type HarnessOptions, startHarness } from '../../server/test/harness.ts';

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
export async function startServer(options: HarnessOptions = {}): Promise<Server> {
  const h = await startHarness(options);
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = h.app.server.address() as AddressInfo;
  return { h, url: `http://127.0.0.1:${port}`, close: () => h.close() };
}

export function tempConfigHome(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export type CliFixture = {
  /** The file's server (from its `beforeAll` on). */
  readonly server: Server;
  /** The config home the CLI runs with. */
  readonly home: string;
  /** The CLI with that config home (and the admin's KEYWARD_URL/KEYWARD_TOKEN with `adminEnv`). */
  cli: (args: string[], options?: RunOptions) => Promise<RunResult>;
};

export type CliFixtureOptions = {
  /** No server: for commands that work offline. */
  offline?: boolean;
  harness?: HarnessOptions;
  /** Runs once the server listens, before the login (roles the tests need, say). */
  prepare?: (server: Server) => Promise<void>;
  /** Signs the CLI in (environment `default`): as the administrator, or with the token this returns. */
  login?: 'admin' | ((server: Server) => Promise<string>);
  /** Passes the server and the admin token as KEYWARD_URL and KEYWARD_TOKEN to every run. */
  adminEnv?: boolean;
  /** A new config home for every test instead of one for the file. */
  homePerTest?: boolean;
};

/**
 * A test file's CLI setup, registered as its hooks: builds the CLI, starts a real server, makes a
 * config home and signs in as the options say; closes and removes them all after the file.
 */
export function useCli(options: CliFixtureOptions = {}): CliFixture {
  let server: Server | undefined;
  let home: ReturnType<typeof tempConfigHome> | undefined;
  const fixture: CliFixture = {
    get server() {
      if (!server) throw new Error('no server: it starts in beforeAll, and not at all when offline');
      return server;
    },
    get home() {
      if (!home) throw new Error('no config home before beforeAll');
      return home.dir;
    },
    cli: (args, { env, ...rest } = {}) => {
      const admin: Record<string, string> = options.adminEnv
        ? { KEYWARD_URL: fixture.server.url, KEYWARD_TOKEN: fixture.server.h.adminToken }
        : {};
      return runCli(args, { ...rest, env: { ...admin, ...env }, configHome: fixture.home });
    },
  };
  beforeAll(async () => {
    buildCli();
    home = tempConfigHome();
    if (options.offline) return;
    server = await startServer(options.harness);
    await options.prepare?.(server);
    if (!options.login) return;
    const token = options.login === 'admin' ? server.h.adminToken : await options.login(server);
    const login = await fixture.cli(['auth', 'login', '--environment', 'default', '--url', server.url], {
      input: token,
    });
    if (login.code !== 0) throw new Error(login.stderr);
  });
  if (options.homePerTest)
    beforeEach(() => {
      home?.cleanup();
      home = tempConfigHome();
    });
  afterAll(async () => {
    await server?.close();
    home?.cleanup();
  });
  return fixture;
}

/** Fresh paths for data directories (the CLI creates them), removed after the file's tests. */
export function useDataDirs(): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-data-'));
    dirs.push(dir);
    return join(dir, 'data');
  };
}

/** A server on a data directory `keyward init` wrote, to check what init created. */
export function serveDataDir(dataDir: string): Promise<RunningServer> {
  return startKeyward(loadConfig({}, { dataDir, port: 0, logLevel: 'silent' }), { handleSignals: false });
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
