import { KeywardError, type ProjectId } from '@keyward/core';
import { Type } from 'typebox';
import { diff } from '../../services/audit-log.ts';
import { principalOf, type Route } from '../context.ts';
import { parseLimits, presentProject } from '../present.ts';
import { Name, ProjectView, problemResponses, RateLimitList, security } from '../schemas.ts';
import { ProjectParams } from './get-project.ts';
import { ProjectSettingsBody, toSettings } from './project-settings.ts';

const Body = Type.Object(
  {
    name: Type.Optional(Name),
    settings: Type.Optional(ProjectSettingsBody),
    rate_limits: Type.Optional(RateLimitList),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const updateProject: Route = (app, { deps }) => {
  app.patch(
    '/v1/projects/:project_id',
    {
      config: { policy: 'project.update' },
      schema: {
        operationId: 'updateProject',
        tags: ['principals'],
        summary: "Change your project's name, token lifetime policy or default rate limits",
        security,
        params: ProjectParams,
        body: Body,
        response: { 200: ProjectView, ...problemResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const id = request.params.project_id as ProjectId;
      const before = id === p.projectId ? await deps.storage.projects.get(id) : null;
      if (!before) throw new KeywardError('NOT_FOUND', 'No such project');
      const body = request.body;
      const after = await deps.storage.transaction(async (tx) => {
        const updated = await tx.projects.update(
          id,
          {
            ...(body.name !== undefined ? { name: body.name } : {}),
            ...(body.settings ? { settings: { ...before.settings, ...toSettings(body.settings) } } : {}),
            ...(body.rate_limits ? { rateLimits: parseLimits(body.rate_limits) } : {}),
          },
          deps.now(),
        );
        if (updated) await deps.verifier.invalidate({ projectId: id }, tx);
        return updated;
      });
      if (!after) throw new KeywardError('NOT_FOUND', 'No such project');
      await deps.audit.record(request, {
        action: 'project.updated',
        projectId: id,
        targetType: 'project',
        targetId: id,
        changes: diff(before, after),
      });
      return presentProject(after);
    },
  );
};
