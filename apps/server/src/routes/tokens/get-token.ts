import type { TokenId } from '@keyward/core';
import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { presentToken } from '../present.ts';
import { problemResponses, security, TokenIdSchema, TokenView } from '../schemas.ts';

export const TokenParams = Type.Object({ token_id: TokenIdSchema });

export const getToken: Route = (app, { deps, tokens }) => {
  app.get(
    '/v1/tokens/:token_id',
    {
      config: { policy: 'token.read' },
      schema: {
        operationId: 'getToken',
        tags: ['tokens'],
        summary: 'Show one token (never its secret)',
        security,
        params: TokenParams,
        response: { 200: TokenView, ...problemResponses },
      },
    },
    async (request) =>
      presentToken(await tokens.load(principalOf(request), request.params.token_id as TokenId), deps.now()),
  );
};
