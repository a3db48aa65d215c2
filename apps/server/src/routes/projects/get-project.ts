import type { ProjectId } from '@keyward/core';
import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { presentProject } from '../present.ts';
import { ProjectIdSchema, ProjectView, problemResponses, security } from '../schemas.ts';
import { visibleProject } from './project-access.ts';

export const ProjectParams = Type.Object({ project_id: ProjectIdSchema });

export const getProject: Route = (app, { deps, auth }) => {
  app.get(
    '/v1/projects/:project_id',
    {
      onRequest: auth(),
      schema: {
        operationId: 'getProject',
        tags: ['principals'],
        summary: 'Show a project',
        security,
        params: ProjectParams,
        response: { 200: ProjectView, ...problemResponses },
      },
    },
    async (request) =>
      presentProject(
        await visibleProject(deps, principalOf(request), request.params.project_id as ProjectId),
      ),
  );
};
