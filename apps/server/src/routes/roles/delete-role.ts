import { KeywardError } from '@keyward/core';
import { authorizeScopes } from '../../services/policy.ts';
import { principalOf, type Route } from '../context.ts';
import { problemResponses, security } from '../schemas.ts';
import { loadRole, RoleParams } from './role-params.ts';

export const deleteRole: Route = (app, { deps }) => {
  app.delete(
    '/v1/roles/:role_id',
    {
      config: { policy: 'role.delete' },
      schema: {
        operationId: 'deleteRole',
        tags: ['principals'],
        summary: 'Delete a role nobody holds; built-in roles stay',
        security,
        params: RoleParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const role = await loadRole(deps, p, request.params.role_id);
      authorizeScopes(p, 'role.delete', role.scopes, deps.now());
      if (role.builtin) throw new KeywardError('CONFLICT', 'Built-in roles cannot be deleted');
      if (!(await deps.storage.roles.delete(p.projectId, role.id))) {
        throw new KeywardError('CONFLICT', 'The role is still held by a member, service account or token');
      }
      await deps.audit.record(request, {
        action: 'role.deleted',
        projectId: p.projectId,
        targetType: 'role',
        targetId: role.id,
        changes: { name: { before: role.name }, scopes: { before: role.scopes } },
      });
      return reply.code(204).send(null);
    },
  );
};
