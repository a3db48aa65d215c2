import type { TokenId } from '@keyward/core';
import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { presentToken } from '../present.ts';
import { problemResponses, security, TokenView } from '../schemas.ts';
import { TokenParams } from './get-token.ts';
import { tokenFields, toTokenInput } from './token-input.ts';

const Body = Type.Partial(Type.Object(tokenFields, { additionalProperties: false }), {
  additionalProperties: false,
  minProperties: 1,
});

export const updateToken: Route = (app, { deps, tokens }) => {
  app.patch(
    '/v1/tokens/:token_id',
    {
      config: { policy: 'token.update' },
      schema: {
        operationId: 'updateToken',
        tags: ['tokens'],
        summary: 'Change name, description, scopes or role (never beyond your rights), expiry or rate limits',
        security,
        params: TokenParams,
        body: Body,
        response: { 200: TokenView, ...problemResponses },
      },
    },
    async (request) => {
      const token = await tokens.update(
        request,
        principalOf(request),
        request.params.token_id as TokenId,
        toTokenInput(request.body),
      );
      return presentToken(token, deps.now());
    },
  );
};
