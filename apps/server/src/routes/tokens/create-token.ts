import type { ServiceAccountId } from '@keyward/core';
import { Type } from 'typebox';
import { createIdempotency } from '../../services/idempotency.ts';
import { principalOf, type Route } from '../context.ts';
import { presentToken } from '../present.ts';
import { problemResponses, ServiceAccountIdSchema, security, TokenWithSecretOrReplay } from '../schemas.ts';
import { sendTokenReplay } from './idempotent-replay.ts';
import { tokenFields, toTokenInput } from './token-input.ts';

const Body = Type.Object(
  { ...tokenFields, service_account_id: Type.Optional(ServiceAccountIdSchema) },
  { additionalProperties: false },
);

export const IDEMPOTENCY_DESCRIPTION =
  ' With an `Idempotency-Key` header, a retry with the same key and body within 24 hours makes ' +
  'nothing new: it answers the original token with `secret_already_delivered: true` (and ' +
  '`Idempotent-Replayed: true`), never the secret again; the same key with another body is 422.';

export const createToken: Route = (app, { deps, tokens }) => {
  const idempotency = createIdempotency(deps);
  app.post(
    '/v1/tokens',
    {
      config: { policy: 'token.create' },
      schema: {
        operationId: 'createToken',
        tags: ['tokens'],
        summary: "Create a token in the caller's project; the secret is in this response only",
        description:
          'Owned by the caller, or by a service account of the project. Scopes (or the role) must be within the caller’s own rights.' +
          IDEMPOTENCY_DESCRIPTION,
        security,
        body: Body,
        response: { 201: TokenWithSecretOrReplay, ...problemResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const principal = principalOf(request);
      const input = {
        ...toTokenInput(body),
        name: body.name,
        ...(body.service_account_id ? { serviceAccountId: body.service_account_id as ServiceAccountId } : {}),
      };
      const outcome = await idempotency.run(request, principal, 'token.create', body, async () => {
        const issued = await tokens.issue(request, principal, input);
        return { status: 201, tokenIds: [issued.token.id], result: issued };
      });
      if (outcome.replay) return sendTokenReplay(deps, principal, reply, outcome.replay);
      const { token, secret } = outcome.result;
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ...presentToken(token, deps.now()), token: secret });
    },
  );
};
