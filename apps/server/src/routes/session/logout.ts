import { principalOf, type Route } from '../context.ts';
import { problemResponses, security } from '../schemas.ts';
import { clearSessionCookie } from './session-cookie.ts';

export const logout: Route = (app, { deps, auth }) => {
  app.post(
    '/v1/auth/logout',
    {
      onRequest: auth(),
      config: { policy: { exempt: "ends the caller's own session" } },
      schema: {
        operationId: 'logout',
        tags: ['session'],
        summary: 'End the console session',
        security,
        response: { 204: { type: 'null', description: 'Signed out' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      if (p.sessionId) await deps.storage.sessions.delete(p.sessionId);
      clearSessionCookie(reply);
      await deps.audit.record(request, {
        action: 'user.logout',
        projectId: null,
        targetType: 'user',
        targetId: p.ownerId,
      });
      return reply.code(204).send(null);
    },
  );
};
