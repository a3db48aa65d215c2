import type { UserId } from '@keyward/core';
import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { presentToken } from '../present.ts';
import { Nullable, problemResponses, security, TokenView } from '../schemas.ts';

export const getApiKey: Route = (app, { deps, auth }) => {
  app.get(
    '/v1/me/api-key',
    {
      onRequest: auth(),
      schema: {
        operationId: 'getApiKey',
        tags: ['tokens'],
        summary: 'Your personal API key (masked: only its hint, never the secret)',
        security,
        response: { 200: Type.Object({ key: Nullable(TokenView) }), ...problemResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const key =
        p.ownerType === 'user'
          ? await deps.storage.tokens.findPersonal(p.projectId, p.ownerId as UserId)
          : null;
      return { key: key ? presentToken(key, deps.now()) : null };
    },
  );
};
