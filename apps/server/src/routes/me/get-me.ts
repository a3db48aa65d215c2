import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { isoOrNull } from '../present.ts';
import { Nullable, NullableTimestamp, ProjectIdSchema, problemResponses, security } from '../schemas.ts';

export const getMe: Route = (app, { auth }) => {
  app.get(
    '/v1/me',
    {
      preHandler: auth(),
      schema: {
        tags: ['tokens'],
        summary: 'The authenticated principal',
        security,
        response: {
          200: Type.Object({
            token_id: Nullable(Type.String()),
            name: Type.String(),
            via: Type.Union([Type.Literal('token'), Type.Literal('session')]),
            owner: Type.Object({ type: Type.String(), id: Type.String() }),
            project_id: ProjectIdSchema,
            scopes: Type.Array(Type.String()),
            expires_at: NullableTimestamp,
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return {
        token_id: p.tokenId,
        name: p.name,
        via: p.via,
        owner: { type: p.ownerType, id: p.ownerId },
        project_id: p.projectId,
        scopes: p.scopes,
        expires_at: isoOrNull(p.expiresAt),
      };
    },
  );
};
