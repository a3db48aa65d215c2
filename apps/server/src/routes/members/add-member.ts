import { KeywardError, newId } from '@keyward/core';
import { Type } from 'typebox';
import { hashPassword } from '../../services/bootstrap.ts';
import { authorizeScopes } from '../../services/policy.ts';
import { recordEvent } from '../../services/webhook-events.ts';
import { principalOf, type Route } from '../context.ts';
import { presentMember } from '../present.ts';
import { loadRole } from '../roles/role-params.ts';
import { Email, MemberView, Name, Password, problemResponses, RoleIdSchema, security } from '../schemas.ts';

const Body = Type.Object(
  { email: Email, role_id: RoleIdSchema, name: Type.Optional(Name), password: Type.Optional(Password) },
  { additionalProperties: false },
);

export const addMember: Route = (app, { deps }) => {
  app.post(
    '/v1/members',
    {
      // Accounts are global, so only an instance administrator creates or adds one directly;
      // project administrators invite (POST /v1/invitations).
      config: { policy: 'member.create_account' },
      schema: {
        operationId: 'addMember',
        tags: ['principals'],
        summary:
          'Instance administrators: add a user to the project with a role (the user is created if new)',
        description:
          'A password lets a new user sign in to the console. An existing account keeps its own ' +
          'password: sending one for it is refused. Project administrators invite instead.',
        security,
        body: Body,
        response: { 201: MemberView, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const body = request.body;
      const role = await loadRole(deps, p, body.role_id);
      const now = deps.now();
      authorizeScopes(p, 'member.create_account', role.scopes, now);
      let user = await deps.storage.users.getByEmail(body.email);
      if (!user) {
        user = await deps.storage.users.create({
          id: newId('user', now),
          email: body.email,
          name: body.name ?? body.email,
          passwordHash: body.password ? await hashPassword(body.password) : null,
          active: true,
          instanceAdmin: false,
          rateLimits: [],
          createdAt: now,
        });
      } else if (body.password) {
        throw new KeywardError('CONFLICT', 'This email has an account; its password is not changed here');
      } else if (await deps.storage.members.get(p.projectId, user.id)) {
        throw new KeywardError('CONFLICT', 'The user is already a member; change their role instead');
      }
      const added = user;
      await deps.storage.transaction(async (tx) => {
        await tx.members.put({ projectId: p.projectId, userId: added.id, roleId: role.id, createdAt: now });
        await deps.audit.record(
          request,
          {
            action: 'member.added',
            projectId: p.projectId,
            targetType: 'user',
            targetId: added.id,
            changes: { role: { after: role.name } },
          },
          tx,
        );
        await recordEvent(
          tx,
          p.projectId,
          'member.joined',
          { user_id: added.id, email: added.email, role_id: role.id, role: role.name, via: 'added' },
          now,
        );
      });
      return reply.code(201).send(
        presentMember({
          projectId: p.projectId,
          userId: user.id,
          roleId: role.id,
          createdAt: now,
          email: user.email,
          name: user.name,
          active: user.active,
          roleName: role.name,
        }),
      );
    },
  );
};
