import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage, migrateToLatest, type Storage } from '@keyward/storage';
import pg from 'pg';
import type { Logger } from 'pino';
import { buildApp } from '../src/app.ts';
import { type Config, loadConfig } from '../src/config.ts';
import { createDeps } from '../src/deps.ts';
import { bootstrap } from '../src/services/bootstrap.ts';
import type { App, Deps } from '../src/types.ts';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct horse battery staple';
export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export type Harness = {
  app: App;
  deps: Deps;
  storage: Storage;
  adminToken: string;
  projectId: string;
  userId: string;
  dataDir: string;
  /** The PostgreSQL schema of this harness (postgres only). */
  schema: string | null;
  close: () => Promise<void>;
};

export type HarnessOptions = {
  database?: 'sqlite' | 'postgres';
  /** Connect to PostgreSQL through this URL instead (e.g. a proxy a test can cut). */
  postgresUrl?: string;
  config?: Partial<Config>;
  now?: () => number;
  /** Leave the instance without users (first-run setup tests). */
  empty?: boolean;
  logger?: Logger;
};

/** A real Keyward app on a real database (a temp SQLite file or an own PostgreSQL schema). */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyward-test-'));
  const schema = `kw_test_${randomBytes(6).toString('hex')}`;
  const storage =
    options.database === 'postgres'
      ? createStorage({ kind: 'postgres', url: options.postgresUrl ?? PG_URL, schema })
      : createStorage({ kind: 'sqlite', path: join(dataDir, 'keyward.db') });
  await migrateToLatest(storage);
  const config = loadConfig(
    {},
    {
      dataDir,
      logLevel: 'silent',
      pepper: randomBytes(32).toString('hex'),
      // One node per harness: a longer trust window keeps a loaded machine's event-loop stalls from
      // turning a cached answer into a read (tests/e2e/cluster measures the real window).
      changeTrustWindowMs: 5_000,
      ...options.config,
    },
  );
  const deps = await createDeps(config, {
    storage,
    ...(options.now ? { now: options.now } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const app = await buildApp(deps);
  await app.ready();
  let adminToken = '';
  let projectId = '';
  let userId = '';
  if (!options.empty) {
    const result = await bootstrap(
      storage,
      deps.peppers,
      { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, withToken: true },
      deps.now(),
    );
    adminToken = result.admin?.token ?? '';
    projectId = result.projectId;
    userId = result.userId;
  }
  return {
    app,
    deps,
    storage,
    adminToken,
    projectId,
    userId,
    dataDir,
    schema: options.database === 'postgres' ? schema : null,
    close: async () => {
      await app.close();
      await deps.rateLimits.close();
      await deps.invalidationBus?.close();
      await storage.close();
      if (options.database === 'postgres') {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** JSON request helper over app.inject (no sockets in behaviour tests). */
export async function call(
  app: App,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  token: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await app.inject({
    method,
    url,
    headers: { ...(token ? bearer(token) : {}), ...headers },
    ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
  });
  const type = String(response.headers['content-type'] ?? '');
  const json = /application\/(problem\+)?json/.test(type) && response.body ? response.json() : null;
  return { status: response.statusCode, body: json, headers: response.headers, raw: response.body };
}

/** Creates a role and a token holding it; returns the token's secret and id. */
export async function tokenWithScopes(h: Harness, scopes: string[], name = 'test token') {
  const res = await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name, scopes });
  if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${res.raw}`);
  return { token: res.body.token as string, id: res.body.id as string };
}

/** Signs in to the console; returns the headers a browser would send (cookie, CSRF token). */
export async function sessionHeaders(h: Harness, email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
  const login = await h.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.statusCode} ${login.body}`);
  const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
  return { cookie, 'x-csrf-token': login.json().csrf_token as string };
}

/** Creates a second project (the admin becomes its owner) and an all-scopes token inside it. */
export async function otherProjectToken(h: Harness, scopes: string[] = ['*:*']): Promise<string> {
  const project = await call(h.app, 'POST', '/v1/projects', h.adminToken, { name: `other ${Date.now()}` });
  if (project.status !== 201) throw new Error(`project creation failed: ${project.raw}`);
  const headers = { ...(await sessionHeaders(h)), 'keyward-project': project.body.id as string };
  const created = await call(h.app, 'POST', '/v1/tokens', null, { name: 'foreign', scopes }, headers);
  if (created.status !== 201) throw new Error(`foreign token: ${created.status} ${created.raw}`);
  return created.body.token as string;
}
