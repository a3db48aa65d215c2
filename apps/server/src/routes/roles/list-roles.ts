import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { presentRole } from '../present.ts';
import { problemResponses, RoleView, security } from '../schemas.ts';

export const listRoles: Route = (app, { deps, auth }) => {
  app.get(
    '/v1/roles',
    {
      onRequest: auth(['roles:read']),
      schema: {
        operationId: 'listRoles',
        tags: ['principals'],
        summary: "The project's roles: named bundles of scopes",
        security,
        response: { 200: Type.Object({ data: Type.Array(RoleView) }), ...problemResponses },
      },
    },
    async (request) => ({
      data: (await deps.storage.roles.list(principalOf(request).projectId)).map(presentRole),
    }),
  );
};
