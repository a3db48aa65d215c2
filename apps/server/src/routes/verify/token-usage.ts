import { KeywardError, type TokenId } from '@keyward/core';
import { Type } from 'typebox';
import { USAGE_BUCKET_MS } from '../../services/usage-recorder.ts';
import { principalOf, type Route } from '../context.ts';
import { iso } from '../present.ts';
import { problemResponses, security, Timestamp, TokenIdSchema } from '../schemas.ts';

const DAY_MS = 86_400_000;
const MAX_BUCKETS = { hour: 24 * 31, day: 366 } as const;

const Query = Type.Object(
  {
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    granularity: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day')], { default: 'hour' })),
  },
  { additionalProperties: false },
);

const UsageView = Type.Object({
  token_id: TokenIdSchema,
  granularity: Type.Union([Type.Literal('hour'), Type.Literal('day')]),
  from: Timestamp,
  to: Timestamp,
  /** One series per outcome (VALID, REVOKED, RATE_LIMITED …); only buckets with requests are listed. */
  series: Type.Array(
    Type.Object({
      outcome: Type.String(),
      total: Type.Integer(),
      points: Type.Array(Type.Object({ start: Timestamp, count: Type.Integer() })),
    }),
  ),
});

/** Requests of one token per hour or day (UTC) and outcome, as written by the usage flushes. */
export const tokenUsage: Route = (app, { deps, tokens }) => {
  app.get(
    '/v1/tokens/:token_id/usage',
    {
      config: { policy: 'token.read_usage' },
      schema: {
        operationId: 'getTokenUsage',
        tags: ['tokens'],
        summary: 'Usage series of a token by outcome (flushed every few seconds)',
        security,
        params: Type.Object({ token_id: TokenIdSchema }),
        querystring: Query,
        response: { 200: UsageView, ...problemResponses },
      },
    },
    async (request) => {
      const id = request.params.token_id as TokenId;
      await tokens.load(principalOf(request), id);
      const granularity = request.query.granularity ?? 'hour';
      const size = granularity === 'hour' ? USAGE_BUCKET_MS : DAY_MS;
      const toRaw = request.query.to ? Date.parse(request.query.to) : deps.now();
      const to = Math.ceil(toRaw / size) * size;
      const fromRaw = request.query.from
        ? Date.parse(request.query.from)
        : to - (granularity === 'hour' ? 24 : 30) * size;
      const from = Math.floor(fromRaw / size) * size;
      if (from >= to) throw new KeywardError('VALIDATION_FAILED', 'from must be before to');
      if ((to - from) / size > MAX_BUCKETS[granularity])
        throw new KeywardError(
          'VALIDATION_FAILED',
          `At most ${MAX_BUCKETS[granularity]} ${granularity}s per request`,
        );
      const byOutcome = new Map<string, Map<number, number>>();
      for (const point of await deps.storage.tokens.usageSeries(id, from, to)) {
        const start = point.bucketStart - (point.bucketStart % size);
        const buckets = byOutcome.get(point.outcome) ?? new Map<number, number>();
        buckets.set(start, (buckets.get(start) ?? 0) + point.count);
        byOutcome.set(point.outcome, buckets);
      }
      const series = [...byOutcome]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([outcome, buckets]) => {
          const points = [...buckets]
            .sort(([a], [b]) => a - b)
            .map(([start, count]) => ({ start: iso(start), count }));
          return { outcome, total: points.reduce((sum, p) => sum + p.count, 0), points };
        });
      return { token_id: id, granularity, from: iso(from), to: iso(to), series };
    },
  );
};
