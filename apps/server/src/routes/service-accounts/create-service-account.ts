import { newId } from '@keyward/core';
import { Type } from 'typebox';
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

const Body = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    role_id: RoleIdSchema,
    rate_limits: Type.Optional(RateLimitList),
  },
  { additionalProperties: false },
);

export const createServiceAccount: Route = (app, { deps }) => {
  app.post(
    '/v1/service-accounts',
    {
      config: { policy: 'service_account.create' },
      schema: {
        operationId: 'createServiceAccount',
        tags: ['principals'],
        summary: 'Create a service account for an integration; it outlives the person who made it',
        security,
        body: Body,
        response: { 201: ServiceAccountView, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const role = await loadRole(deps, p, request.body.role_id);
      const now = deps.now();
      authorizeScopes(p, 'service_account.create', role.scopes, now);
      const account = await deps.storage.serviceAccounts.create({
        id: newId('serviceAccount', now),
        projectId: p.projectId,
        name: request.body.name,
        description: request.body.description ?? '',
        roleId: role.id,
        active: true,
        rateLimits: parseLimits(request.body.rate_limits ?? []),
        createdBy: p.ownerId,
        createdAt: now,
      });
      await deps.audit.record(request, {
        action: 'service_account.created',
        projectId: p.projectId,
        targetType: 'service_account',
        targetId: account.id,
        changes: { name: { after: account.name }, role: { after: role.name } },
      });
      return reply.code(201).send(presentServiceAccount(account));
    },
  );
};
