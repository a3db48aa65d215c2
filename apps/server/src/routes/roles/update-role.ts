import { KeywardError, normalizeScopes } from '@keyward/core';
import { Type } from 'typebox';
import { diff } from '../../services/audit-log.ts';
import { authorizeScopes } from '../../services/policy.ts';
import { principalOf, type Route } from '../context.ts';
import { presentRole } from '../present.ts';
import { Description, problemResponses, RoleView, ScopeList, security } from '../schemas.ts';
import { loadRole, RoleParams } from './role-params.ts';

const Body = Type.Object(
  { description: Type.Optional(Description), scopes: Type.Optional(ScopeList) },
  { additionalProperties: false, minProperties: 1 },
);

export const updateRole: Route = (app, { deps }) => {
  app.patch(
    '/v1/roles/:role_id',
    {
      config: { policy: 'role.update' },
      schema: {
        operationId: 'updateRole',
        tags: ['principals'],
        summary: "Change a role's scopes; every token and member holding it follows on the next request",
        security,
        params: RoleParams,
        body: Body,
        response: { 200: RoleView, ...problemResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const before = await loadRole(deps, p, request.params.role_id);
      const scopes = request.body.scopes ? normalizeScopes(request.body.scopes) : undefined;
      // Both what the role gave and what it will give must be within the caller's rights.
      authorizeScopes(p, 'role.update', [...before.scopes, ...(scopes ?? [])], deps.now());
      const after = await deps.storage.transaction(async (tx) => {
        const updated = await tx.roles.update(
          p.projectId,
          before.id,
          {
            ...(request.body.description !== undefined ? { description: request.body.description } : {}),
            ...(scopes ? { scopes } : {}),
          },
          deps.now(),
        );
        if (updated) await deps.verifier.invalidate({ projectId: p.projectId }, tx);
        return updated;
      });
      if (!after) throw new KeywardError('NOT_FOUND', 'No such role');
      await deps.audit.record(request, {
        action: 'role.updated',
        projectId: p.projectId,
        targetType: 'role',
        targetId: after.id,
        changes: diff(before, after),
      });
      return presentRole(after);
    },
  );
};
