import { Type } from 'typebox';
import { createInvitation } from '../../services/invitations.ts';
import { authorizeScopes } from '../../services/policy.ts';
import { principalOf, type Route } from '../context.ts';
import { loadRole } from '../roles/role-params.ts';
import { Email, problemResponses, RoleIdSchema, security } from '../schemas.ts';
import {
  InvitationCode,
  InvitationLifetime,
  InvitationView,
  presentInvitation,
} from './invitation-schemas.ts';

const Body = Type.Object(
  { email: Email, role_id: RoleIdSchema, expires_in_seconds: Type.Optional(InvitationLifetime) },
  { additionalProperties: false },
);

export const createInvitationRoute: Route = (app, { deps }) => {
  app.post(
    '/v1/invitations',
    {
      config: { policy: 'member.add' },
      schema: {
        operationId: 'createInvitation',
        tags: ['principals'],
        summary: 'Invite someone to the project with a role; returns a one-time code, shown only here',
        description:
          'The invitee redeems the code with POST /v1/invitations/redeem (console: /invite#<code>), ' +
          'choosing a password for a new account or signing in to an existing one. The answer is ' +
          'the same whether or not the email has an account.',
        security,
        body: Body,
        response: {
          201: Type.Intersect([InvitationView, Type.Object({ code: InvitationCode })]),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const role = await loadRole(deps, p, request.body.role_id);
      authorizeScopes(p, 'member.add', role.scopes, deps.now());
      const { invitation, code } = await createInvitation(deps, request, p, {
        email: request.body.email,
        role,
        ...(request.body.expires_in_seconds ? { lifetimeSeconds: request.body.expires_in_seconds } : {}),
      });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ...presentInvitation(invitation, role.name), code });
    },
  );
};
