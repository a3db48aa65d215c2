import { principalOf, type Route } from '../context.ts';
import { presentServiceAccount } from '../present.ts';
import { problemResponses, ServiceAccountView, security } from '../schemas.ts';
import { loadServiceAccount, ServiceAccountParams } from './service-account-params.ts';

export const getServiceAccount: Route = (app, { deps, auth }) => {
  app.get(
    '/v1/service-accounts/:service_account_id',
    {
      onRequest: auth(['service_accounts:read']),
      schema: {
        operationId: 'getServiceAccount',
        tags: ['principals'],
        summary: 'Show a service account',
        security,
        params: ServiceAccountParams,
        response: { 200: ServiceAccountView, ...problemResponses },
      },
    },
    async (request) =>
      presentServiceAccount(
        await loadServiceAccount(deps, principalOf(request), request.params.service_account_id),
      ),
  );
};
