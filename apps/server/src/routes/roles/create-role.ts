import { newId, normalizeScopes } from '@keyward/core';
import { Type } from 'typebox';
import { authorizeScopes } from '../../services/policy.ts';
import { principalOf, type Route } from '../context.ts';
import { presentRole } from '../present.ts';
import { Description, problemResponses, RoleNameSchema, RoleView, ScopeList, security } from '../schemas.ts';

const Body = Type.Object(
  { name: RoleNameSchema, description: Type.Optional(Description), scopes: ScopeList },
  { additionalProperties: false },
);

export const createRole: Route = (app, { deps }) => {
  app.post(
    '/v1/roles',
    {
      config: { policy: 'role.create' },
      schema: {
        operationId: 'createRole',
        tags: ['principals'],
        summary: 'Define a role (e.g. client, miner, admin) from scopes you hold',
        security,
        body: Body,
        response: { 201: RoleView, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const scopes = normalizeScopes(request.body.scopes);
      const now = deps.now();
      authorizeScopes(p, 'role.create', scopes, now);
      const role = await deps.storage.roles.create({
        id: newId('role', now),
        projectId: p.projectId,
        name: request.body.name,
        description: request.body.description ?? '',
        scopes,
        builtin: false,
        createdAt: now,
      });
      await deps.audit.record(request, {
        action: 'role.created',
        projectId: p.projectId,
        targetType: 'role',
        targetId: role.id,
        changes: { name: { after: role.name }, scopes: { after: role.scopes } },
      });
      return reply.code(201).send(presentRole(role));
    },
  );
};
