import { KeywardError, type UserId } from '@keyward/core';
import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { presentProject } from '../present.ts';
import { named, ProjectView, problemResponses, security, UserIdSchema } from '../schemas.ts';

export const getSession: Route = (app, { deps, auth }) => {
  app.get(
    '/v1/auth/session',
    {
      onRequest: auth(),
      schema: {
        operationId: 'getSession',
        tags: ['session'],
        summary: 'The signed-in console user, their projects, rights in the current project and CSRF token',
        security,
        response: {
          200: named(
            'Session',
            Type.Object({
              user: Type.Object({
                id: UserIdSchema,
                email: Type.String(),
                name: Type.String(),
                instance_admin: Type.Boolean(),
              }),
              project_id: Type.String(),
              scopes: Type.Array(Type.String()),
              projects: Type.Array(ProjectView),
              csrf_token: Type.String(),
            }),
          ),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      if (p.via !== 'session' || !p.sessionId)
        throw new KeywardError('FORBIDDEN', 'Only for console sessions');
      const user = await deps.storage.users.get(p.ownerId as UserId);
      if (!user) throw new KeywardError('UNAUTHENTICATED');
      return {
        user: { id: user.id, email: user.email, name: user.name, instance_admin: user.instanceAdmin },
        project_id: p.projectId,
        scopes: p.scopes,
        projects: (await deps.storage.projects.listForUser(user.id)).map(presentProject),
        csrf_token: p.csrfToken ?? '',
      };
    },
  );
};
