import { KeywardError, type UserId } from '@keyward/core';
import { authorizeScopes } from '../../services/policy.ts';
import { principalOf, type Route } from '../context.ts';
import { loadRole } from '../roles/role-params.ts';
import { problemResponses, security } from '../schemas.ts';
import { MemberParams, memberRights } from './member-access.ts';

export const removeMember: Route = (app, { deps }) => {
  app.delete(
    '/v1/members/:user_id',
    {
      config: { policy: 'member.remove' },
      schema: {
        tags: ['principals'],
        summary: 'Remove a member; their tokens in this project stop working at once',
        security,
        params: MemberParams,
        response: { 204: { type: 'null', description: 'Removed' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const userId = request.params.user_id as UserId;
      const membership = await deps.storage.members.get(p.projectId, userId);
      if (!membership) throw new KeywardError('NOT_FOUND', 'No such member');
      const role = await loadRole(deps, p, membership.roleId);
      authorizeScopes(p, 'member.remove', await memberRights(deps, p, userId, role), deps.now());
      await deps.storage.members.remove(p.projectId, userId);
      deps.verifier.invalidate({ ownerId: userId });
      await deps.audit.record(request, {
        action: 'member.removed',
        projectId: p.projectId,
        targetType: 'user',
        targetId: userId,
        changes: { role: { before: role.name } },
      });
      return reply.code(204).send(null);
    },
  );
};
