import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage, migrateToLatest, type Storage } from '@keyward/storage';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { type Config, loadConfig } from '../src/config.ts';
import { createDeps } from '../src/deps.ts';
import { bootstrap } from '../src/services/bootstrap.ts';
import type { App, Deps } from '../src/types.ts';

export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export type Harness = {
  app: App;
  deps: Deps;
  storage: Storage;
  adminToken: string;
  projectId: string;
  userId: string;
  dataDir: string;
  close: () => Promise<void>;
};

export type HarnessOptions = {
  database?: 'sqlite' | 'postgres';
  config?: Partial<Config>;
  now?: () => number;
  /** Leave the instance without users (first-run setup tests). */
  empty?: boolean;
};

/** A real Keyward app on a real database (a temp SQLite file or an own PostgreSQL schema). */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyward-test-'));
  const schema = `kw_test_${randomBytes(6).toString('hex')}`;
  const storage =
    options.database === 'postgres'
      ? createStorage({ kind: 'postgres', url: PG_URL, schema })
      : createStorage({ kind: 'sqlite', path: join(dataDir, 'keyward.db') });
  await migrateToLatest(storage);
  const config = loadConfig(
    {},
    { dataDir, logLevel: 'silent', pepper: randomBytes(32).toString('hex'), ...options.config },
  );
  const deps = await createDeps(config, { storage, ...(options.now ? { now: options.now } : {}) });
  const app = await buildApp(deps);
  await app.ready();
  let adminToken = '';
  let projectId = '';
  let userId = '';
  if (!options.empty) {
    const result = await bootstrap(
      storage,
      deps.peppers,
      { email: 'admin@example.com', password: 'correct horse battery staple', withToken: true },
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
    close: async () => {
      await app.close();
      await deps.rateLimits.close();
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
  const json = type.includes('json') && response.body ? response.json() : null;
  return { status: response.statusCode, body: json, headers: response.headers, raw: response.body };
}

/** Creates a role and a token holding it; returns the token's secret and id. */
export async function tokenWithScopes(h: Harness, scopes: string[], name = 'test token') {
  const res = await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name, scopes });
  if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${res.raw}`);
  return { token: res.body.token as string, id: res.body.id as string };
}
