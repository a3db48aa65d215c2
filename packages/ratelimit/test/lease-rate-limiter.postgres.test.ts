import { randomBytes } from 'node:crypto';
import { createStorage, migrateToLatest, type Storage } from '@keyward/storage';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaseRateLimiter, type RateLimiter } from '../src/index.ts';

const URL = process.env.KEYWARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `kw_rl_${randomBytes(6).toString('hex')}`;
const perMinute = (limit: number) => ({ limit, windowSeconds: 60 });
const key = () => `tok_${randomBytes(6).toString('hex')}`;

let storage: Storage;
const open: RateLimiter[] = [];

/** A node's limiter on the shared windows; `nodes` of them share each limit. */
function node(nodes = 3) {
  const windows = storage.rateLimitWindows;
  if (windows === null) throw new Error('PostgreSQL storage has shared windows');
  const limiter = createLeaseRateLimiter({ store: windows, nodes: () => nodes, pruneIntervalMs: 0 });
  open.push(limiter);
  return limiter;
}

const admitted = (results: { allowed: boolean }[]) => results.filter((r) => r.allowed).length;

beforeAll(async () => {
  storage = createStorage({ kind: 'postgres', url: URL, schema, poolSize: 8 });
  await migrateToLatest(storage);
});
afterAll(async () => {
  for (const limiter of open) await limiter.close();
  await storage.close();
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
});

describe('limits counted in the database, spent from leases (ADR 0016)', () => {
  it('admits exactly 100 of 1,500 concurrent checks spread over three nodes', async () => {
    const nodes = [node(), node(), node()];
    const id = key();
    const results = await Promise.all(
      Array.from(
        { length: 1500 },
        (_, i) => nodes[i % 3]?.check(id, [perMinute(100)]) as Promise<{ allowed: boolean }>,
      ),
    );
    expect(admitted(results)).toBe(100);
  });

  it('answers a full window on every node without a statement, until the window ends', async () => {
    const [a, b] = [node(2), node(2)];
    const id = key();
    const first = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).check(id, [perMinute(10)])),
    );
    expect(admitted(first)).toBe(10);
    const before = storage.statementCount();
    const refused = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).check(id, [perMinute(10)])),
    );
    expect(storage.statementCount() - before).toBe(0);
    expect(admitted(refused)).toBe(0);
    expect(refused[0]).toMatchObject({ allowed: false, mostRestrictive: { limit: 10, remaining: 0 } });
    expect(refused[0]?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('a node that stops gives its unspent units back; one that dies leaves them unspent, never reused', async () => {
    const id = key();
    const stopping = node();
    // One after another: its leases grow (1, 2, 4 units), so it holds some it has not spent.
    for (let i = 0; i < 4; i++) expect((await stopping.check(id, [perMinute(50)])).allowed).toBe(true);
    await stopping.close();
    const rest = node();
    const afterStop = await Promise.all(Array.from({ length: 80 }, () => rest.check(id, [perMinute(50)])));
    expect(admitted(afterStop)).toBe(46);

    const other = key();
    const dying = node();
    const dyingAdmitted = admitted(
      await Promise.all(Array.from({ length: 8 }, () => dying.check(other, [perMinute(50)]))),
    );
    // No close(): its lease dies with it. A restarted node starts from the database's count.
    const restarted = node();
    const later = admitted(
      await Promise.all(Array.from({ length: 80 }, () => restarted.check(other, [perMinute(50)]))),
    );
    expect(dyingAdmitted).toBe(8);
    expect(dyingAdmitted + later).toBeLessThanOrEqual(50);
    expect(dyingAdmitted + later).toBeGreaterThanOrEqual(40);
  });

  it('charges every window of a check or none: an owner limit shared by two tokens', async () => {
    const [a, b] = [node(2), node(2)];
    const owner = `usr_${randomBytes(6).toString('hex')}`;
    const tokens = [key(), key()];
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? a : b).checkMany([
          { key: tokens[i % 2] as string, policies: [perMinute(100)] },
          { key: owner, policies: [perMinute(12)] },
        ]),
      ),
    );
    expect(admitted(results)).toBe(12);
  });

  it('charges a cost of several units whole, or refuses it and keeps the units for smaller checks', async () => {
    const limiter = node(1);
    const id = key();
    expect((await limiter.check(id, [perMinute(10)], 7)).allowed).toBe(true);
    const big = await limiter.check(id, [perMinute(10)], 7);
    expect(big.allowed).toBe(false);
    expect((await limiter.check(id, [perMinute(10)], 3)).allowed).toBe(true);
    expect((await limiter.check(id, [perMinute(10)], 0)).allowed).toBe(false);
  });

  it('starts a new window when the last one has ended, on the database clock', async () => {
    const limiter = node(1);
    const id = key();
    const perSecond = [{ limit: 3, windowSeconds: 1 }];
    expect(admitted(await Promise.all(Array.from({ length: 6 }, () => limiter.check(id, perSecond))))).toBe(
      3,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(admitted(await Promise.all(Array.from({ length: 6 }, () => limiter.check(id, perSecond))))).toBe(
      3,
    );
  });

  it('answers synchronously from the units it holds, and not at all when it would have to ask', async () => {
    const limiter = node(1);
    const id = key();
    const buckets = [{ key: id, policies: [perMinute(20)] }];
    expect(limiter.checkManyNow?.(buckets)).toBeUndefined();
    // One after another the leases grow: 1, then 2 (one left over).
    for (let i = 0; i < 2; i++) expect((await limiter.checkMany(buckets)).allowed).toBe(true);
    const before = storage.statementCount();
    expect(limiter.checkManyNow?.(buckets)).toMatchObject({ allowed: true });
    expect(limiter.checkManyNow?.(buckets)).toBeUndefined();
    expect(storage.statementCount()).toBe(before);
  });

  it('deletes ended windows', async () => {
    const windows = storage.rateLimitWindows;
    await node(1).check(key(), [{ limit: 1, windowSeconds: 1 }]);
    const client = new pg.Client({ connectionString: URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      await client.query(
        'update rate_limit_windows set window_start = window_start - 120000 where window_ms = 1000',
      );
      expect(await windows?.prune()).toBeGreaterThanOrEqual(1);
      const { rows } = await client.query(
        'select count(*)::int as n from rate_limit_windows where window_ms = 1000',
      );
      expect(rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('fails a check with DATABASE_UNAVAILABLE when the database cannot be reached', async () => {
    const away = createStorage({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/test', schema });
    const windows = away.rateLimitWindows;
    if (windows === null) throw new Error('PostgreSQL storage has shared windows');
    const limiter = createLeaseRateLimiter({ store: windows, nodes: () => 1, pruneIntervalMs: 0 });
    await expect(limiter.check(key(), [perMinute(5)])).rejects.toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
    });
    await away.close();
  });
});
