import type { TokenId } from '@keyward/core';
import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { iso } from '../present.ts';
import { problemResponses, security, Timestamp, TokenIdSchema } from '../schemas.ts';
import {
  createSeriesBuilder,
  Granularity,
  UsageQuery,
  UsageSeries,
  usageWindow,
} from '../usage/usage-series.ts';

const UsageView = Type.Object({
  token_id: TokenIdSchema,
  granularity: Granularity,
  from: Timestamp,
  to: Timestamp,
  series: UsageSeries,
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
        querystring: UsageQuery,
        response: { 200: UsageView, ...problemResponses },
      },
    },
    async (request) => {
      const id = request.params.token_id as TokenId;
      await tokens.load(principalOf(request), id);
      const window = usageWindow(request.query, deps.now());
      const builder = createSeriesBuilder(window);
      for (const point of await deps.storage.tokens.usageSeries(id, window.from, window.to))
        builder.add(point);
      const { granularity, from, to } = window;
      return { token_id: id, granularity, from: iso(from), to: iso(to), series: builder.series() };
    },
  );
};
