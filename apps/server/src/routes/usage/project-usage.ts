import type { ProjectId } from '@keyward/core';
import type { Token, UsagePoint } from '@keyward/storage';
import { Type } from 'typebox';
import type { Deps } from '../../types.ts';
import { principalOf, type Route } from '../context.ts';
import { iso } from '../present.ts';
import { visibleProject } from '../projects/project-access.ts';
import { ProjectIdSchema, problemResponses, security, Timestamp, TokenIdSchema } from '../schemas.ts';
import { createSeriesBuilder, Granularity, UsageQuery, UsageSeries, usageWindow } from './usage-series.ts';

const BUSIEST = 10;
const PAGE = 200;
/** Series of used tokens read at once (SQLite has one connection; PostgreSQL a small pool). */
const PARALLEL = 8;
const ADMITTED = 'VALID';

const ProjectUsageView = Type.Object({
  project_id: ProjectIdSchema,
  granularity: Granularity,
  from: Timestamp,
  to: Timestamp,
  /** One series per outcome (VALID, REVOKED, RATE_LIMITED …) over every token of the project. */
  series: UsageSeries,
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
        querystring: UsageQuery,
        response: { 200: ProjectUsageView, ...problemResponses },
      },
    },
    async (request) => {
      const project = await visibleProject(
        deps,
        principalOf(request),
        request.params.project_id as ProjectId,
      );
      const window = usageWindow(request.query, deps.now());
      const tokens = await usedTokens(deps, project.id);
      const builder = createSeriesBuilder(window);
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
            builder.add(point);
            if (point.outcome === ADMITTED) admitted += point.count;
            else refused += point.count;
          }
          if (admitted + refused > 0) perToken.push({ token, admitted, refused });
        });
      }
      const series = builder.series();
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
