import { randomBytes } from 'node:crypto';
import { createStorage } from '@keyward/storage';
import { buildApp } from '../../apps/server/src/app.ts';
import { createDeps } from '../../apps/server/src/deps.ts';
import type { App, Deps } from '../../apps/server/src/types.ts';
import { PG_URL } from '../../apps/server/test/harness.ts';
import { type KeywardOnSocket, keywardOnSocket } from './sdk-harness.ts';

export type SecondNode = { app: App; deps: Deps; url: string; close: () => Promise<void> };

/** Keyward node A (harness) and node B on one PostgreSQL schema and one Redis (own key prefix). */
export async function twoNodes(
  config: Record<string, unknown> = {},
): Promise<{ a: KeywardOnSocket; b: SecondNode }> {
  const a = await keywardOnSocket({
    database: 'postgres',
    config: {
      redisUrl: 'redis://127.0.0.1:6379',
      redisKeyPrefix: `kw-sdk-${randomBytes(6).toString('hex')}:`,
      ...config,
    },
  });
  // Node B has its own connection pool on the same schema, as a second process would.
  const storage = createStorage({ kind: 'postgres', url: PG_URL, schema: a.schema ?? '' });
  const deps = await createDeps(a.deps.config, { storage });
  const app = await buildApp(deps);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  if (!a.deps.invalidationBus?.connected() || !deps.invalidationBus?.connected())
    throw new Error('the nodes are not on the bus');
  return {
    a,
    b: {
      app,
      deps,
      url,
      close: async () => {
        await app.close();
        await deps.rateLimits.close();
        await deps.invalidationBus?.close();
        await storage.close();
      },
    },
  };
}
