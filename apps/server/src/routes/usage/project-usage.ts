import { KeywardError, type ProjectId } from '@keyward/core';
import type { Token, UsagePoint } from '@keyward/storage';
import { Type } from 'typebox';
import { USAGE_BUCKET_MS } from '../../services/usage-recorder.ts';
import type { Deps } from '../../types.ts';
import { principalOf, type Route } from '../context.ts';
import { iso } from '../present.ts';
import { visibleProject } from '../projects/project-access.ts';
import { ProjectIdSchema, problemResponses, security, Timestamp, TokenIdSchema } from '../schemas.ts';

const DAY_MS = 86_400_000;
const MAX_BUCKETS = { hour: 24 * 31, day: 366 } as const;
const BUSIEST = 10;
const PAGE = 200;
/** Series of used tokens read at once (SQLite has one connection; PostgreSQL a small pool). */
const PARALLEL = 8;
const ADMITTED = 'VALID';

const Query = Type.Object(
  {
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    granularity: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day')], { default: 'hour' })),
  },
  { additionalProperties: false },
);

const Series = Type.Array(
  Type.Object({
    outcome: Type.String(),
    total: Type.Integer(),
    points: Type.Array(Type.Object({ start: Timestamp, count: Type.Integer() })),
  }),
);

const ProjectUsageView = Type.Object({
  project_id: ProjectIdSchema,
  granularity: Type.Union([Type.Literal('hour'), Type.Literal('day')]),
  from: Timestamp,
  to: Timestamp,
  /** One series per outcome (VALID, REVOKED, RATE_LIMITED …) over every token of the project. */
  series: Series,
  /** The tokens with the most requests in the window, most first (admitted: outcome VALID). */
  busiest_tokens: Type.Array(
    Type.Object({
      token_id: TokenIdSchema,
      name: Type.String(),
      kind: Type.String(),
      total: Type.Integer(),
      admitted: Type.Integer(),
      refused: Type.Integer(),
    }),
  ),
});

type Window = { granularity: 'hour' | 'day'; size: number; from: number; to: number };

/** Whole buckets: the last 24 hours by hour or the last 30 days by day unless from/to say otherwise. */
function windowOf(query: { from?: string; to?: string; granularity?: 'hour' | 'day' }, now: number): Window {
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

/** Tokens that were ever used: one without a single recorded request has no series to read. */
async function usedTokens(deps: Deps, projectId: ProjectId): Promise<Token[]> {
  const used: Token[] = [];
  let cursor: string | null = null;
  do {
    const page = await deps.storage.tokens.list({ projectId, now: deps.now() }, { limit: PAGE, cursor });
    used.push(...page.items.filter((t) => t.admittedCount + t.refusedCount > 0));
    cursor = page.nextCursor;
  } while (cursor);
  return used;
}

/** Requests of every token of a project per hour or day (UTC) and outcome, and its busiest tokens. */
export const projectUsage: Route = (app, { deps }) => {
  app.get(
    '/v1/projects/:project_id/usage',
    {
      config: { policy: 'token.read_usage' },
      schema: {
        operationId: 'getProjectUsage',
        tags: ['tokens'],
        summary: "Usage series of a project's tokens by outcome, and the busiest tokens",
        security,
        params: Type.Object({ project_id: ProjectIdSchema }),
        querystring: Query,
        response: { 200: ProjectUsageView, ...problemResponses },
      },
    },
    async (request) => {
      const project = await visibleProject(
        deps,
        principalOf(request),
        request.params.project_id as ProjectId,
      );
      const window = windowOf(request.query, deps.now());
      const tokens = await usedTokens(deps, project.id);
      const byOutcome = new Map<string, Map<number, number>>();
      const perToken: { token: Token; admitted: number; refused: number }[] = [];
      for (let i = 0; i < tokens.length; i += PARALLEL) {
        const batch = tokens.slice(i, i + PARALLEL);
        const series: UsagePoint[][] = await Promise.all(
          batch.map((t) => deps.storage.tokens.usageSeries(t.id, window.from, window.to)),
        );
        batch.forEach((token, k) => {
          let admitted = 0;
          let refused = 0;
          for (const point of series[k] ?? []) {
            const start = point.bucketStart - (point.bucketStart % window.size);
            const buckets = byOutcome.get(point.outcome) ?? new Map<number, number>();
            buckets.set(start, (buckets.get(start) ?? 0) + point.count);
            byOutcome.set(point.outcome, buckets);
            if (point.outcome === ADMITTED) admitted += point.count;
            else refused += point.count;
          }
          if (admitted + refused > 0) perToken.push({ token, admitted, refused });
        });
      }
      const series = [...byOutcome]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([outcome, buckets]) => {
          const points = [...buckets]
            .sort(([a], [b]) => a - b)
            .map(([start, count]) => ({ start: iso(start), count }));
          return { outcome, total: points.reduce((sum, p) => sum + p.count, 0), points };
        });
      const busiest = perToken
        .sort(
          (a, b) => b.admitted + b.refused - (a.admitted + a.refused) || a.token.id.localeCompare(b.token.id),
        )
        .slice(0, BUSIEST)
        .map(({ token, admitted, refused }) => ({
          token_id: token.id,
          name: token.name,
          kind: token.kind,
          total: admitted + refused,
          admitted,
          refused,
        }));
      return {
        project_id: project.id,
        granularity: window.granularity,
        from: iso(window.from),
        to: iso(window.to),
        series,
        busiest_tokens: busiest,
      };
    },
  );
};
