import { KeywardError, type RoleId } from '@keyward/core';
import { Type } from 'typebox';
import { diff } from '../../services/audit-log.ts';
import { authorizeScopes } from '../../services/policy.ts';
import { principalOf, type Route } from '../context.ts';
import { parseLimits, presentServiceAccount } from '../present.ts';
import { loadRole } from '../roles/role-params.ts';
import {
  Description,
  Name,
  problemResponses,
  RateLimitList,
  RoleIdSchema,
  ServiceAccountView,
  security,
} from '../schemas.ts';
import { loadServiceAccount, ServiceAccountParams } from './service-account-params.ts';

const Body = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    role_id: Type.Optional(RoleIdSchema),
    active: Type.Optional(Type.Boolean()),
    rate_limits: Type.Optional(RateLimitList),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const updateServiceAccount: Route = (app, { deps }) => {
  app.patch(
    '/v1/service-accounts/:service_account_id',
    {
      config: { policy: 'service_account.update' },
      schema: {
        operationId: 'updateServiceAccount',
        tags: ['principals'],
        summary: 'Rename, change the role of, deactivate or reactivate a service account',
        security,
        params: ServiceAccountParams,
        body: Body,
        response: { 200: ServiceAccountView, ...problemResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const before = await loadServiceAccount(deps, p, request.params.service_account_id);
      const body = request.body;
      const current = await loadRole(deps, p, before.roleId);
      const next = body.role_id ? await loadRole(deps, p, body.role_id) : current;
      authorizeScopes(p, 'service_account.update', [...current.scopes, ...next.scopes], deps.now());
      const after = await deps.storage.transaction(async (tx) => {
        const updated = await tx.serviceAccounts.update(
          p.projectId,
          before.id,
          {
            ...(body.name !== undefined ? { name: body.name } : {}),
            ...(body.description !== undefined ? { description: body.description } : {}),
            ...(body.role_id ? { roleId: body.role_id as RoleId } : {}),
            ...(body.active !== undefined ? { active: body.active } : {}),
            ...(body.rate_limits ? { rateLimits: parseLimits(body.rate_limits) } : {}),
          },
          deps.now(),
        );
        if (updated) await deps.verifier.invalidate({ ownerId: before.id }, tx);
        return updated;
      });
      if (!after) throw new KeywardError('NOT_FOUND', 'No such service account');
      await deps.audit.record(request, {
        action: 'service_account.updated',
        projectId: p.projectId,
        targetType: 'service_account',
        targetId: before.id,
        changes: diff(before, after),
      });
      return presentServiceAccount(after);
    },
  );
};
