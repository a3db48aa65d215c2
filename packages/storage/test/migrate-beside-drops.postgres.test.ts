import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect, it } from 'vitest';
import { createStorage, MIGRATIONS, migrateToLatest } from '../src/index.ts';

const URL = process.env.KEYWARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemaName = () => `kw_test_${randomBytes(6).toString('hex')}`;

// Tests (and deployments sharing a server) drop their schemas while others migrate: Kysely's table
// listing then meets a schema that vanished mid-query (3F000), which must not fail a migration.
it('migrates while another client keeps creating and dropping schemas', async () => {
  const churn = new pg.Client({ connectionString: URL });
  await churn.connect();
  let stop = false;
  let dropped = 0;
  const churning = (async () => {
    while (!stop) {
      const other = schemaName();
      await churn.query(`create schema ${other}`);
      await churn.query(
        `create table ${other}.t (${Array.from({ length: 40 }, (_, i) => `c${i} serial`).join(', ')})`,
      );
      await churn.query(`drop schema ${other} cascade`);
      dropped++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const schemas: string[] = [];
  try {
    for (let run = 0; run < 20; run++) {
      const schema = schemaName();
      schemas.push(schema);
      const storage = createStorage({ kind: 'postgres', url: URL, schema });
      try {
        expect(await migrateToLatest(storage)).toEqual(Object.keys(MIGRATIONS));
      } finally {
        await storage.close();
      }
    }
  } finally {
    stop = true;
    await churning;
    for (const schema of schemas) await churn.query(`drop schema if exists ${schema} cascade`);
    await churn.end();
  }
  expect(dropped).toBeGreaterThan(0);
});
