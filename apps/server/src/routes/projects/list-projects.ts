import type { UserId } from '@keyward/core';
import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { presentProject } from '../present.ts';
import { Nullable, Paging, ProjectView, problemResponses, security } from '../schemas.ts';
import { isInstanceAdmin, visibleProject } from './project-access.ts';

export const listProjects: Route = (app, { deps, auth }) => {
  app.get(
    '/v1/projects',
    {
      onRequest: auth(),
      schema: {
        operationId: 'listProjects',
        tags: ['principals'],
        summary: 'Projects you can see: your own (a user: every membership); instance administrators: all',
        security,
        querystring: Type.Object(Paging, { additionalProperties: false }),
        response: {
          200: Type.Object({ data: Type.Array(ProjectView), next_cursor: Nullable(Type.String()) }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      if (isInstanceAdmin(p)) {
        const page = await deps.storage.projects.list({
          limit: request.query.limit,
          cursor: request.query.cursor ?? null,
        });
        return { data: page.items.map(presentProject), next_cursor: page.nextCursor };
      }
      const projects =
        p.via === 'session'
          ? await deps.storage.projects.listForUser(p.ownerId as UserId)
          : [await visibleProject(deps, p, p.projectId)];
      return { data: projects.map(presentProject), next_cursor: null };
    },
  );
};
