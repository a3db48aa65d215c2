/**
 * One more Keyward node for the multi-process webhook tests: it runs only the dispatcher (real
 * clock) on the PostgreSQL schema it is given, until it is killed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage } from '@keyward/storage';
import { loadConfig } from '../src/config.ts';
import { createDeps } from '../src/deps.ts';

const { KW_PG_URL, KW_SCHEMA, KW_PEPPER } = process.env;
if (!KW_PG_URL || !KW_SCHEMA || !KW_PEPPER)
  throw new Error('KW_PG_URL, KW_SCHEMA and KW_PEPPER are required');
const config = loadConfig(
  {},
  {
    dataDir: mkdtempSync(join(tmpdir(), 'keyward-node-')),
    logLevel: 'silent',
    pepper: KW_PEPPER,
    webhookAllowPrivateTargets: true,
    webhookDispatchIntervalMs: 50,
  },
);
const storage = createStorage({ kind: 'postgres', url: KW_PG_URL, schema: KW_SCHEMA });
const deps = await createDeps(config, { storage });
deps.webhooks.start();
process.stdout.write(`ready ${deps.webhooks.node}\n`);
setInterval(() => {}, 1 << 30);
