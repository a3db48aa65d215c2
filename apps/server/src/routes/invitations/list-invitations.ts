import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { problemResponses, security } from '../schemas.ts';
import { InvitationView, presentInvitation } from './invitation-schemas.ts';

export const listInvitations: Route = (app, { deps, auth }) => {
  app.get(
    '/v1/invitations',
    {
      onRequest: auth(['members:read']),
      schema: {
        operationId: 'listInvitations',
        tags: ['principals'],
        summary: "The project's pending invitations (not redeemed, revoked or expired), newest first",
        security,
        response: { 200: Type.Object({ data: Type.Array(InvitationView) }), ...problemResponses },
      },
    },
    async (request) => {
      const pending = await deps.storage.invitations.listPending(principalOf(request).projectId, deps.now());
      return { data: pending.map((invitation) => presentInvitation(invitation, invitation.roleName)) };
    },
  );
};
