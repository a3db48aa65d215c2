import { isId, type ProjectId, type TokenId, VERIFY_CODES } from '@keyward/core';
import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { problemResponses, security, Timestamp, TokenIdSchema } from '../schemas.ts';

const Count = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });

const Entry = Type.Object(
  {
    token_id: TokenIdSchema,
    outcomes: Type.Partial(Type.Object(Object.fromEntries(VERIFY_CODES.map((code) => [code, Count])))),
    last_used_at: Type.Union([Timestamp, Type.Null()]),
    ips: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 5 }),
  },
  { additionalProperties: false },
);

const Body = Type.Object({ entries: Type.Array(Entry, { maxItems: 1000 }) }, { additionalProperties: false });

/**
 * Usage of tokens verified inside a provider's process (counts by outcome, last used, client
 * addresses), added to the node's usage buffer as if this node had answered them. Entries naming
 * a token of another project are skipped, never counted.
 */
export const reportUsage: Route = (app, { deps, auth }) => {
  app.post(
    '/v1/sdk/usage',
    {
      onRequest: auth(['tokens:verify']),
      config: { policy: { exempt: 'usage reports count what a provider admitted; they change no token' } },
      schema: {
        operationId: 'sdkReportUsage',
        tags: ['sdk'],
        summary: 'Report usage of tokens verified in-process by the SDK, in one batch',
        security,
        body: Body,
        response: {
          200: Type.Object({ accepted: Type.Integer(), skipped: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const projectId = principalOf(request).projectId as ProjectId;
      const at = deps.now();
      let accepted = 0;
      for (const entry of request.body.entries) {
        const tokenId = entry.token_id as TokenId;
        if (!isId('token', tokenId) || (await deps.storage.tokens.get(projectId, tokenId)) === null) continue;
        accepted++;
        const stamp =
          entry.last_used_at === null
            ? null
            : { at: Math.min(Date.parse(entry.last_used_at), at), ips: entry.ips };
        const outcomes = Object.entries(entry.outcomes).filter(([, n]) => typeof n === 'number' && n > 0);
        if (outcomes.length === 0 && stamp) deps.usage.recordMany(tokenId, projectId, 'VALID', 0, stamp);
        for (const [i, [outcome, n]] of outcomes.entries())
          deps.usage.recordMany(tokenId, projectId, outcome, n as number, i === 0 ? stamp : null);
      }
      return { accepted, skipped: request.body.entries.length - accepted };
    },
  );
};
