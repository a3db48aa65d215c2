import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { presentMember } from '../present.ts';
import { MemberView, problemResponses, security } from '../schemas.ts';

export const listMembers: Route = (app, { deps, auth }) => {
  app.get(
    '/v1/members',
    {
      onRequest: auth(['members:read']),
      schema: {
        operationId: 'listMembers',
        tags: ['principals'],
        summary: "The project's members and their roles",
        security,
        response: { 200: Type.Object({ data: Type.Array(MemberView) }), ...problemResponses },
      },
    },
    async (request) => ({
      data: (await deps.storage.members.list(principalOf(request).projectId)).map(presentMember),
    }),
  );
};
