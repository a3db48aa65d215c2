import type { OwnerType, RoleId } from '@keyward/core';
import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { presentToken } from '../present.ts';
import {
  Nullable,
  named,
  Paging,
  problemResponses,
  RoleIdSchema,
  security,
  TokenStatusSchema,
  TokenView,
} from '../schemas.ts';

const Query = Type.Object(
  {
    ...Paging,
    status: Type.Optional(TokenStatusSchema),
    owner_type: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('service_account')])),
    owner_id: Type.Optional(Type.String({ maxLength: 40 })),
    kind: Type.Optional(
      Type.Union([Type.Literal('standard'), Type.Literal('personal'), Type.Literal('imported')]),
    ),
    role_id: Type.Optional(RoleIdSchema),
    search: Type.Optional(Type.String({ maxLength: 200 })),
    expires_before: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Only tokens that expire before this time (with status=active: expiring soon)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const listTokens: Route = (app, { deps }) => {
  app.get(
    '/v1/tokens',
    {
      config: { policy: 'token.read' },
      schema: {
        operationId: 'listTokens',
        tags: ['tokens'],
        summary: "List the project's tokens, newest first, with filters and cursor paging",
        security,
        querystring: Query,
        response: {
          200: named(
            'TokenPage',
            Type.Object({ data: Type.Array(TokenView), next_cursor: Nullable(Type.String()) }),
          ),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const now = deps.now();
      const page = await deps.storage.tokens.list(
        {
          projectId: principalOf(request).projectId,
          now,
          ...(q.status ? { status: q.status } : {}),
          ...(q.owner_type ? { ownerType: q.owner_type as OwnerType } : {}),
          ...(q.owner_id ? { ownerId: q.owner_id } : {}),
          ...(q.kind ? { kind: q.kind } : {}),
          ...(q.role_id ? { roleId: q.role_id as RoleId } : {}),
          ...(q.search ? { search: q.search } : {}),
          ...(q.expires_before ? { expiresBefore: Date.parse(q.expires_before) } : {}),
        },
        { limit: q.limit, cursor: q.cursor ?? null },
      );
      return { data: page.items.map((t) => presentToken(t, now)), next_cursor: page.nextCursor };
    },
  );
};
