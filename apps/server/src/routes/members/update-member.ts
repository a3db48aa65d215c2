import { KeywardError, type UserId } from '@keyward/core';
import { Type } from 'typebox';
import { authorizeScopes } from '../../services/policy.ts';
import { recordEvent } from '../../services/webhook-events.ts';
import { principalOf, type Route } from '../context.ts';
import { presentMember } from '../present.ts';
import { loadRole } from '../roles/role-params.ts';
import { MemberView, problemResponses, RoleIdSchema, security } from '../schemas.ts';
import { MemberParams, memberRights } from './member-access.ts';

const Body = Type.Object({ role_id: RoleIdSchema }, { additionalProperties: false });

export const updateMember: Route = (app, { deps }) => {
  app.patch(
    '/v1/members/:user_id',
    {
      config: { policy: 'member.change' },
      schema: {
        operationId: 'updateMember',
        tags: ['principals'],
        summary: "Change a member's role; their tokens follow on the next request",
        security,
        params: MemberParams,
        body: Body,
        response: { 200: MemberView, ...problemResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const userId = request.params.user_id as UserId;
      const before = await deps.storage.members.get(p.projectId, userId);
      if (!before) throw new KeywardError('NOT_FOUND', 'No such member');
      const current = await loadRole(deps, p, before.roleId);
      const role = await loadRole(deps, p, request.body.role_id);
      const held = await memberRights(deps, p, userId, current);
      authorizeScopes(p, 'member.change', [...held, ...role.scopes], deps.now());
      const at = deps.now();
      await deps.storage.transaction(async (tx) => {
        await tx.members.put({ ...before, roleId: role.id });
        await deps.verifier.invalidate({ ownerId: userId }, tx);
        await deps.audit.record(
          request,
          {
            action: 'member.role_changed',
            projectId: p.projectId,
            targetType: 'user',
            targetId: userId,
            changes: { role: { before: current.name, after: role.name } },
          },
          tx,
        );
        await recordEvent(
          tx,
          p.projectId,
          'member.role_changed',
          { user_id: userId, role_id: role.id, role: role.name, previous_role: current.name },
          at,
        );
      });
      const member = (await deps.storage.members.list(p.projectId)).find((m) => m.userId === userId);
      if (!member) throw new KeywardError('NOT_FOUND', 'No such member');
      return presentMember(member);
    },
  );
};
