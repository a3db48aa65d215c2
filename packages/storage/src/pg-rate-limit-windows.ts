import type { LeaseGrant, LeaseStore } from '@keyward/core';
import { sql } from 'kysely';
import type { Db } from './transaction.ts';

type Row = { key: string; window_start: number; count: number; granted: number; now_ms: number };

/** The database's clock in ms: one clock for every node's windows. */
const NOW_MS = sql`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/**
 * Shared rate-limit windows in PostgreSQL (ADR 0016). One statement grants every window of a check:
 * a window that has ended starts again at the database's now, and a grant is what is left up to
 * the units wanted. Rows are locked in key order, so concurrent asks never deadlock.
 */
export function createPgRateLimitWindows(db: Db): LeaseStore {
  return {
    async grant(requests) {
      if (requests.length === 0) return [];
      const sorted = [...requests].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const values = sql.join(
        sorted.map(
          (r) =>
            sql`(${r.key}::text, ${r.windowMs}::bigint, ${r.limit}::bigint, ${Math.max(1, r.want)}::bigint)`,
        ),
      );
      const ended = sql`excluded.seen_at >= w.window_start + w.window_ms`;
      const { rows } = await sql<Row>`insert into rate_limit_windows as w
          (key, window_start, window_ms, limit_units, count, granted, seen_at)
        select v.key, t.now_ms, v.window_ms, v.limit_units, least(v.want, v.limit_units),
          least(v.want, v.limit_units), t.now_ms
        from (select ${NOW_MS} as now_ms) as t, (values ${values}) as v(key, window_ms, limit_units, want)
        order by v.key
        on conflict (key) do update set
          window_start = case when ${ended} then excluded.seen_at else w.window_start end,
          count = case when ${ended} then excluded.count else least(w.count + excluded.count, w.limit_units) end,
          granted = case when ${ended} then excluded.count else least(excluded.count, w.limit_units - w.count) end,
          seen_at = excluded.seen_at
        where ${ended} or w.count < w.limit_units
        returning w.key, w.window_start, w.count, w.granted, w.seen_at as now_ms`.execute(db);
      const grants: LeaseGrant[] = rows.map((row) => ({
        key: row.key,
        start: Number(row.window_start),
        count: Number(row.count),
        granted: Number(row.granted),
        nowMs: Number(row.now_ms),
      }));
      if (grants.length === requests.length) return grants;
      // The windows left out were full: read them (no write) so the node refuses until they end.
      const answered = new Set(grants.map((g) => g.key));
      const full = sorted.filter((r) => !answered.has(r.key)).map((r) => r.key);
      const read = await sql<Row>`select key, window_start, count, 0 as granted, ${NOW_MS} as now_ms
        from rate_limit_windows where key in (${sql.join(full)})`.execute(db);
      for (const row of read.rows)
        grants.push({
          key: row.key,
          start: Number(row.window_start),
          count: Number(row.count),
          granted: 0,
          nowMs: Number(row.now_ms),
        });
      return grants;
    },

    async refund(key, start, units) {
      await sql`update rate_limit_windows set count = count - ${units}
        where key = ${key} and window_start = ${start} and count >= ${units}`.execute(db);
    },

    async prune() {
      const result = await sql`delete from rate_limit_windows
        where window_start + window_ms < ${NOW_MS} - 60000`.execute(db);
      return Number(result.numAffectedRows ?? 0);
    },
  };
}
