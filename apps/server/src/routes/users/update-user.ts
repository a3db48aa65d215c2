import { KeywardError, type UserId } from '@keyward/core';
import { Type } from 'typebox';
import { diff } from '../../services/audit-log.ts';
import { principalOf, type Route } from '../context.ts';
import { iso, parseLimits, presentLimits } from '../present.ts';
import {
  Name,
  problemResponses,
  RateLimitList,
  RateLimitPolicySchema,
  security,
  Timestamp,
  UserIdSchema,
} from '../schemas.ts';

const Body = Type.Object(
  {
    name: Type.Optional(Name),
    active: Type.Optional(Type.Boolean()),
    /** Shared by all the user's tokens, beside each token's own and the project's limits. */
    rate_limits: Type.Optional(RateLimitList),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const updateUser: Route = (app, { deps }) => {
  app.patch(
    '/v1/users/:user_id',
    {
      config: { policy: 'user.update' },
      schema: {
        operationId: 'updateUser',
        tags: ['principals'],
        summary:
          'Rename, deactivate or reactivate a user, or set the rate limits all their tokens share; takes effect at once',
        security,
        params: Type.Object({ user_id: UserIdSchema }),
        body: Body,
        response: {
          200: Type.Object({
            id: UserIdSchema,
            email: Type.String(),
            name: Type.String(),
            active: Type.Boolean(),
            rate_limits: Type.Array(RateLimitPolicySchema),
            updated_at: Timestamp,
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const id = request.params.user_id as UserId;
      const before = await deps.storage.users.get(id);
      if (!before) throw new KeywardError('NOT_FOUND', 'No such user');
      const { rate_limits, ...body } = request.body;
      const after = await deps.storage.transaction(async (tx) => {
        const updated = await tx.users.update(
          id,
          { ...body, ...(rate_limits ? { rateLimits: parseLimits(rate_limits) } : {}) },
          deps.now(),
        );
        if (updated) await deps.verifier.invalidate({ ownerId: id }, tx);
        return updated;
      });
      if (!after) throw new KeywardError('NOT_FOUND', 'No such user');
      if (!after.active) await deps.storage.sessions.deleteForUser(id);
      await deps.audit.record(request, {
        action:
          after.active === before.active
            ? 'user.updated'
            : after.active
              ? 'user.activated'
              : 'user.deactivated',
        projectId: principalOf(request).projectId,
        targetType: 'user',
        targetId: id,
        changes: diff(
          { name: before.name, active: before.active, rateLimits: before.rateLimits },
          { name: after.name, active: after.active, rateLimits: after.rateLimits },
        ),
      });
      return {
        id: after.id,
        email: after.email,
        name: after.name,
        active: after.active,
        rate_limits: presentLimits(after.rateLimits),
        updated_at: iso(after.updatedAt),
      };
    },
  );
};
