import { KeywardError } from '@keyward/core';
import type { UsagePoint } from '@keyward/storage';
import { Type } from 'typebox';
import { USAGE_BUCKET_MS } from '../../services/usage-recorder.ts';
import { iso } from '../present.ts';
import { Timestamp } from '../schemas.ts';

const DAY_MS = 86_400_000;
const MAX_BUCKETS = { hour: 24 * 31, day: 366 } as const;

export const UsageQuery = Type.Object(
  {
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    granularity: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day')], { default: 'hour' })),
  },
  { additionalProperties: false },
);

export const Granularity = Type.Union([Type.Literal('hour'), Type.Literal('day')]);

/** One series per outcome (VALID, REVOKED, RATE_LIMITED …); only buckets with requests are listed. */
export const UsageSeries = Type.Array(
  Type.Object({
    outcome: Type.String(),
    total: Type.Integer(),
    points: Type.Array(Type.Object({ start: Timestamp, count: Type.Integer() })),
  }),
);

export type UsageWindow = { granularity: 'hour' | 'day'; size: number; from: number; to: number };

/** Whole buckets: the last 24 hours by hour or the last 30 days by day unless from/to say otherwise. */
export function usageWindow(
  query: { from?: string; to?: string; granularity?: 'hour' | 'day' },
  now: number,
): UsageWindow {
  const granularity = query.granularity ?? 'hour';
  const size = granularity === 'hour' ? USAGE_BUCKET_MS : DAY_MS;
  const to = Math.ceil((query.to ? Date.parse(query.to) : now) / size) * size;
  const fromRaw = query.from ? Date.parse(query.from) : to - (granularity === 'hour' ? 24 : 30) * size;
  const from = Math.floor(fromRaw / size) * size;
  if (from >= to) throw new KeywardError('VALIDATION_FAILED', 'from must be before to');
  if ((to - from) / size > MAX_BUCKETS[granularity])
    throw new KeywardError(
      'VALIDATION_FAILED',
      `At most ${MAX_BUCKETS[granularity]} ${granularity}s per request`,
    );
  return { granularity, size, from, to };
}

/** Sums stored points into the window's buckets per outcome. */
export function createSeriesBuilder(window: UsageWindow) {
  const byOutcome = new Map<string, Map<number, number>>();
  return {
    add(point: UsagePoint): void {
      const start = point.bucketStart - (point.bucketStart % window.size);
      const buckets = byOutcome.get(point.outcome) ?? new Map<number, number>();
      buckets.set(start, (buckets.get(start) ?? 0) + point.count);
      byOutcome.set(point.outcome, buckets);
    },
    series() {
      return [...byOutcome]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([outcome, buckets]) => {
          const points = [...buckets]
            .sort(([a], [b]) => a - b)
            .map(([start, count]) => ({ start: iso(start), count }));
          return { outcome, total: points.reduce((sum, p) => sum + p.count, 0), points };
        });
    },
  };
}
