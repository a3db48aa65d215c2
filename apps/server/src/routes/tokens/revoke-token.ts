import type { TokenId } from '@keyward/core';
import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { presentToken } from '../present.ts';
import { problemResponses, security, TokenView } from '../schemas.ts';
import { TokenParams } from './get-token.ts';

const Body = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const revokeToken: Route = (app, { deps, tokens }) => {
  app.post(
    '/v1/tokens/:token_id/revoke',
    {
      config: { policy: 'token.revoke' },
      schema: {
        operationId: 'revokeToken',
        tags: ['tokens'],
        summary: 'Revoke a token: the very next request with it is refused',
        security,
        params: TokenParams,
        body: Body,
        response: { 200: TokenView, ...problemResponses },
      },
    },
    async (request) => {
      const token = await tokens.revoke(
        request,
        principalOf(request),
        request.params.token_id as TokenId,
        request.body.reason ?? null,
      );
      return presentToken(token, deps.now());
    },
  );
};
