import type { ServiceAccountId } from '@keyward/core';
import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { presentToken } from '../present.ts';
import { problemResponses, ServiceAccountIdSchema, security, TokenWithSecret } from '../schemas.ts';
import { tokenFields, toTokenInput } from './token-input.ts';

const Body = Type.Object(
  { ...tokenFields, service_account_id: Type.Optional(ServiceAccountIdSchema) },
  { additionalProperties: false },
);

export const createToken: Route = (app, { deps, tokens }) => {
  app.post(
    '/v1/tokens',
    {
      config: { policy: 'token.create' },
      schema: {
        operationId: 'createToken',
        tags: ['tokens'],
        summary: "Create a token in the caller's project; the secret is in this response only",
        description:
          'Owned by the caller, or by a service account of the project. Scopes (or the role) must be within the caller’s own rights.',
        security,
        body: Body,
        response: { 201: TokenWithSecret, ...problemResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const { token, secret } = await tokens.issue(request, principalOf(request), {
        ...toTokenInput(body),
        name: body.name,
        ...(body.service_account_id ? { serviceAccountId: body.service_account_id as ServiceAccountId } : {}),
      });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ...presentToken(token, deps.now()), token: secret });
    },
  );
};
