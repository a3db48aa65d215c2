import type { TokenId } from '@keyward/core';
import { type RawBuilder, sql } from 'kysely';
import { type Db, inTransaction } from '../transaction.ts';
import type { LastUsedUpdate, UsageIncrement, UsagePoint } from '../types.ts';

/** Rows per multi-row INSERT / tokens per UPDATE, well under SQLite's bound-parameter limit. */
const CHUNK = 200;
export const MAX_LAST_USED_IPS = 5;

type TokenDelta = { admitted: number; refused: number; lastUsed: LastUsedUpdate | null };

/** The usage outcome of an admitted request; every other outcome is a refusal. */
const ADMITTED = 'VALID';

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** PostgreSQL cannot upsert one row twice in a statement, so equal keys are summed first. */
function sumIncrements(counts: readonly UsageIncrement[]): UsageIncrement[] {
  const byKey = new Map<string, UsageIncrement>();
  for (const c of counts) {
    const key = JSON.stringify([c.tokenId, c.bucketStart, c.outcome]);
    const seen = byKey.get(key);
    if (seen) seen.count += c.count;
    else byKey.set(key, { ...c });
  }
  return [...byKey.values()];
}

function deltasByToken(
  lastUsed: readonly LastUsedUpdate[],
  counts: readonly UsageIncrement[],
): Map<TokenId, TokenDelta> {
  const deltas = new Map<TokenId, TokenDelta>();
  const deltaOf = (id: TokenId) => {
    let delta = deltas.get(id);
    if (!delta) {
      delta = { admitted: 0, refused: 0, lastUsed: null };
      deltas.set(id, delta);
    }
    return delta;
  };
  for (const c of counts) {
    const delta = deltaOf(c.tokenId);
    if (c.outcome === ADMITTED) delta.admitted += c.count;
    else delta.refused += c.count;
  }
  for (const u of lastUsed) {
    const delta = deltaOf(u.tokenId);
    if (delta.lastUsed === null || u.at >= delta.lastUsed.at) delta.lastUsed = u;
  }
  return deltas;
}

const bigint = (value: number) => sql`cast(${value} as bigint)`;

/** One UPDATE for many tokens: CASE picks each token's delta; right-hand sides see the old row. */
function updateTokens(db: Db, entries: [TokenId, TokenDelta][]) {
  const joinCases = (cases: RawBuilder<unknown>[]) => sql.join(cases, sql` `);
  const newer = (u: LastUsedUpdate) =>
    sql`id = ${u.tokenId} and (last_used_at is null or last_used_at < ${bigint(u.at)})`;
  const withUse = entries.flatMap(([, d]) => (d.lastUsed ? [d.lastUsed] : []));
  const counter = (column: 'admitted_count' | 'refused_count', of: (d: TokenDelta) => number) => {
    const counted = entries.filter(([, d]) => of(d) !== 0);
    if (counted.length === 0) return {};
    const cases = joinCases(counted.map(([id, d]) => sql`when id = ${id} then ${bigint(of(d))}`));
    return { [column]: sql<number>`${sql.ref(column)} + (case ${cases} else 0 end)` };
  };
  return db
    .updateTable('tokens')
    .set({ ...counter('admitted_count', (d) => d.admitted), ...counter('refused_count', (d) => d.refused) })
    .$if(withUse.length > 0, (q) =>
      q.set({
        last_used_at: sql<number>`(case ${joinCases(
          withUse.map((u) => sql`when ${newer(u)} then ${bigint(u.at)}`),
        )} else last_used_at end)`,
        last_used_ips: sql<string>`(case ${joinCases(
          withUse.map((u) => sql`when ${newer(u)} then ${JSON.stringify(u.ips.slice(0, MAX_LAST_USED_IPS))}`),
        )} else last_used_ips end)`,
      }),
    )
    .where(
      'id',
      'in',
      entries.map(([id]) => id),
    )
    .execute();
}

export async function recordTokenUsage(
  db: Db,
  lastUsed: readonly LastUsedUpdate[],
  counts: readonly UsageIncrement[],
): Promise<void> {
  const increments = sumIncrements(counts).filter((c) => c.count !== 0);
  const deltas = [...deltasByToken(lastUsed, increments)].filter(
    ([, d]) => d.admitted !== 0 || d.refused !== 0 || d.lastUsed !== null,
  );
  if (increments.length === 0 && deltas.length === 0) return;
  await inTransaction(db, async (trx) => {
    for (const rows of chunks(increments)) {
      await trx
        .insertInto('token_usage')
        .values(
          rows.map((c) => ({
            token_id: c.tokenId,
            bucket_start: c.bucketStart,
            outcome: c.outcome,
            count: c.count,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['token_id', 'bucket_start', 'outcome']).doUpdateSet((eb) => ({
            count: sql<number>`${eb.ref('token_usage.count')} + ${eb.ref('excluded.count')}`,
          })),
        )
        .execute();
    }
    for (const entries of chunks(deltas)) await updateTokens(trx, entries);
  });
}

export async function tokenUsageSeries(db: Db, id: TokenId, from: number, to: number): Promise<UsagePoint[]> {
  const rows = await db
    .selectFrom('token_usage')
    .select(['bucket_start', 'outcome', 'count'])
    .where('token_id', '=', id)
    .where('bucket_start', '>=', from)
    .where('bucket_start', '<', to)
    .orderBy('bucket_start')
    .orderBy('outcome')
    .execute();
  return rows.map((r) => ({
    bucketStart: Number(r.bucket_start),
    outcome: r.outcome,
    count: Number(r.count),
  }));
}
