import type { TokenId } from '@keyward/core';
import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { presentToken } from '../present.ts';
import { problemResponses, security, TokenWithSecret } from '../schemas.ts';
import { TokenParams } from './get-token.ts';

const Body = Type.Object(
  { grace_period_seconds: Type.Integer({ minimum: 0, maximum: 30 * 86_400, default: 0 }) },
  { additionalProperties: false },
);

export const rotateToken: Route = (app, { deps, tokens }) => {
  app.post(
    '/v1/tokens/:token_id/rotate',
    {
      config: { policy: 'token.rotate' },
      schema: {
        operationId: 'rotateToken',
        tags: ['tokens'],
        summary: 'New secret for the same token id, settings and history',
        description:
          'The old secret stops working at once (grace 0) or when the grace period ends. Revoked or expired tokens cannot be rotated.',
        security,
        params: TokenParams,
        body: Body,
        response: { 200: TokenWithSecret, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { token, secret } = await tokens.rotate(
        request,
        principalOf(request),
        request.params.token_id as TokenId,
        request.body.grace_period_seconds ?? 0,
      );
      reply.header('cache-control', 'no-store');
      return { ...presentToken(token, deps.now()), token: secret };
    },
  );
};
