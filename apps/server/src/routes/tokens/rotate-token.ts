import type { TokenId } from '@keyward/core';
import { Type } from 'typebox';
import { createIdempotency } from '../../services/idempotency.ts';
import { principalOf, type Route } from '../context.ts';
import { presentToken } from '../present.ts';
import { problemResponses, security, TokenWithSecretOrReplay } from '../schemas.ts';
import { IDEMPOTENCY_DESCRIPTION } from './create-token.ts';
import { TokenParams } from './get-token.ts';
import { sendTokenReplay } from './idempotent-replay.ts';

const Body = Type.Object(
  { grace_period_seconds: Type.Integer({ minimum: 0, maximum: 30 * 86_400, default: 0 }) },
  { additionalProperties: false },
);

export const rotateToken: Route = (app, { deps, tokens }) => {
  const idempotency = createIdempotency(deps);
  app.post(
    '/v1/tokens/:token_id/rotate',
    {
      config: { policy: 'token.rotate' },
      schema: {
        operationId: 'rotateToken',
        tags: ['tokens'],
        summary: 'New secret for the same token id, settings and history',
        description:
          'The old secret stops working at once (grace 0) or when the grace period ends. Revoked or expired tokens cannot be rotated.' +
          IDEMPOTENCY_DESCRIPTION.replace('makes nothing new', 'rotates nothing again'),
        security,
        params: TokenParams,
        body: Body,
        response: { 200: TokenWithSecretOrReplay, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const id = request.params.token_id as TokenId;
      const grace = request.body.grace_period_seconds ?? 0;
      const fingerprint = { token_id: id, grace_period_seconds: grace };
      const outcome = await idempotency.run(request, principal, 'token.rotate', fingerprint, async () => {
        const rotated = await tokens.rotate(request, principal, id, grace);
        return { status: 200, tokenIds: [id], result: rotated };
      });
      if (outcome.replay) return sendTokenReplay(deps, principal, reply, outcome.replay);
      const { token, secret } = outcome.result;
      reply.header('cache-control', 'no-store');
      return { ...presentToken(token, deps.now()), token: secret };
    },
  );
};
