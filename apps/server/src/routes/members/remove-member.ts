import { KeywardError, type UserId } from '@keyward/core';
import { authorizeScopes } from '../../services/policy.ts';
import { recordEvent } from '../../services/webhook-events.ts';
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
        operationId: 'removeMember',
        tags: ['principals'],
        summary:
          'Remove a member; their tokens in this project are revoked at once (re-adding them revives none)',
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
      const now = deps.now();
      authorizeScopes(p, 'member.remove', await memberRights(deps, p, userId, role), now);
      await deps.storage.transaction(async (tx) => {
        await tx.members.remove(p.projectId, userId);
        const revoked = await tx.tokens.revokeByOwner(p.projectId, userId, 'member removed', now);
        await deps.verifier.invalidate({ projectId: p.projectId, ownerId: userId }, tx);
        await deps.audit.record(
          request,
          {
            action: 'member.removed',
            projectId: p.projectId,
            targetType: 'user',
            targetId: userId,
            changes: { role: { before: role.name }, revoked_tokens: { after: revoked } },
          },
          tx,
        );
        await recordEvent(
          tx,
          p.projectId,
          'member.removed',
          { user_id: userId, role_id: role.id, role: role.name, revoked_token_ids: revoked },
          now,
        );
      });
      return reply.code(204).send(null);
    },
  );
};
