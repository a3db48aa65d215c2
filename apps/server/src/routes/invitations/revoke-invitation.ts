import type { InvitationId } from '@keyward/core';
import { Type } from 'typebox';
import { revokeInvitation } from '../../services/invitations.ts';
import { principalOf, type Route } from '../context.ts';
import { problemResponses, security } from '../schemas.ts';
import { InvitationIdSchema } from './invitation-schemas.ts';

export const revokeInvitationRoute: Route = (app, { deps }) => {
  app.delete(
    '/v1/invitations/:invitation_id',
    {
      // Revoking grants nothing, so members:write (checked by the route guard) is all it needs.
      config: { policy: 'member.remove' },
      schema: {
        operationId: 'revokeInvitation',
        tags: ['principals'],
        summary: 'Revoke a pending invitation: its code no longer works',
        security,
        params: Type.Object({ invitation_id: InvitationIdSchema }),
        response: { 204: { type: 'null', description: 'Revoked' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = request.params.invitation_id as InvitationId;
      await revokeInvitation(deps, request, principalOf(request), id);
      return reply.code(204).send(null);
    },
  );
};
