import type { UserId } from '@keyward/core';
import { Type } from 'typebox';
import { createProjectWithDefaults } from '../../services/projects.ts';
import { principalOf, type Route } from '../context.ts';
import { presentProject } from '../present.ts';
import { Name, ProjectView, problemResponses, security, TokenPrefixSchema } from '../schemas.ts';
import { ProjectSettingsBody, toSettings } from './project-settings.ts';

const Body = Type.Object(
  {
    name: Name,
    token_prefix: Type.Optional(TokenPrefixSchema),
    settings: Type.Optional(ProjectSettingsBody),
  },
  { additionalProperties: false },
);

export const createProject: Route = (app, { deps }) => {
  app.post(
    '/v1/projects',
    {
      config: { policy: 'project.create' },
      schema: {
        operationId: 'createProject',
        tags: ['principals'],
        summary: 'Create a project (tenant) with the default roles; a user caller becomes its owner',
        security,
        body: Body,
        response: { 201: ProjectView, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const body = request.body;
      const project = await deps.storage.transaction((repos) =>
        createProjectWithDefaults(
          repos,
          {
            name: body.name,
            ...(body.token_prefix ? { tokenPrefix: body.token_prefix } : {}),
            ...(body.settings ? { settings: toSettings(body.settings) } : {}),
            ...(p.ownerType === 'user' ? { ownerUserId: p.ownerId as UserId } : {}),
          },
          deps.now(),
        ),
      );
      await deps.audit.record(request, {
        action: 'project.created',
        projectId: project.id,
        targetType: 'project',
        targetId: project.id,
        changes: { name: { after: project.name }, token_prefix: { after: project.tokenPrefix } },
      });
      return reply.code(201).send(presentProject(project));
    },
  );
};
