import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { presentServiceAccount } from '../present.ts';
import { problemResponses, ServiceAccountView, security } from '../schemas.ts';

export const listServiceAccounts: Route = (app, { deps, auth }) => {
  app.get(
    '/v1/service-accounts',
    {
      onRequest: auth(['service_accounts:read']),
      schema: {
        operationId: 'listServiceAccounts',
        tags: ['principals'],
        summary: "The project's service accounts",
        security,
        response: { 200: Type.Object({ data: Type.Array(ServiceAccountView) }), ...problemResponses },
      },
    },
    async (request) => ({
      data: (await deps.storage.serviceAccounts.list(principalOf(request).projectId)).map(
        presentServiceAccount,
      ),
    }),
  );
};
