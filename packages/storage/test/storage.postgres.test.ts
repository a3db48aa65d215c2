import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createStorage, MIGRATIONS, migrateToLatest } from '../src/index.ts';
import { describeStorageContract } from './contract.ts';
import { expectCode } from './fixtures.ts';

const URL = process.env.KEYWARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Each run gets its own schema, dropped afterwards, so parallel runs never meet. */
function testSchema(): string {
  return `kw_test_${randomBytes(6).toString('hex')}`;
}

async function withClient<T>(schema: string | null, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: URL,
    ...(schema !== null && { options: `-c search_path=${schema}` }),
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const dropSchema = (schema: string) =>
  withClient(null, (c) => c.query(`drop schema if exists ${schema} cascade`).then(() => undefined));

describeStorageContract('postgres', async () => {
  const schema = testSchema();
  const storage = createStorage({ kind: 'postgres', url: URL, schema, poolSize: 8 });
  return {
    storage,
    raw: (statement) => withClient(schema, (c) => c.query(statement).then(() => undefined)),
    async dispose() {
      await storage.close();
      await dropSchema(schema);
    },
  };
});

describe('postgres specifics', () => {
  it('creates its schema and stores times as BIGINT read back as numbers', async () => {
    const schema = testSchema();
    const storage = createStorage({ kind: 'postgres', url: URL, schema });
    try {
      expect(await migrateToLatest(storage)).toEqual(Object.keys(MIGRATIONS));
      const type = await withClient(schema, (c) =>
        c.query<{ data_type: string }>(
          `select data_type from information_schema.columns
           where table_schema = $1 and table_name = 'tokens' and column_name = 'created_at'`,
          [schema],
        ),
      );
      expect(type.rows[0]?.data_type).toBe('bigint');
      expect(await storage.projects.count()).toBe(0);
      // The int8 parser is the pool's own: the global pg parser still yields strings.
      expect(pg.types.getTypeParser(20)('12')).toBe('12');
    } finally {
      await storage.close();
      await dropSchema(schema);
    }
  });

  it('reports an unreachable server as DATABASE_UNAVAILABLE', async () => {
    const storage = createStorage({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/test' });
    await expectCode(storage.ping(), 'DATABASE_UNAVAILABLE');
    await expectCode(migrateToLatest(storage), 'DATABASE_UNAVAILABLE');
    await storage.close();
  });

  it('refuses a schema name it would have to quote', () => {
    expect(() => createStorage({ kind: 'postgres', url: URL, schema: 'x; drop' })).toThrow(/schema/);
  });
});
