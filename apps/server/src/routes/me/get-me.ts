import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { isoOrNull, presentLimits } from '../present.ts';
import {
  Nullable,
  NullableTimestamp,
  named,
  ProjectIdSchema,
  problemResponses,
  RateLimitPolicySchema,
  security,
} from '../schemas.ts';

const RateLimitsView = named(
  'MeRateLimits',
  Type.Object({
    /** The token's own policies, or the instance default when it has none; empty for sessions. */
    token: Type.Array(RateLimitPolicySchema),
    /** The owner's (user or service account), shared by all its tokens. */
    owner: Type.Array(RateLimitPolicySchema),
    /** The project's default, shared by every token in the project. */
    project: Type.Array(RateLimitPolicySchema),
    /** The window with the least headroom after counting this request; null when no limit applies. */
    effective: Nullable(
      Type.Object({
        policy: Type.String(),
        limit: Type.Integer(),
        window_seconds: Type.Integer(),
        remaining: Type.Integer(),
        reset_seconds: Type.Integer(),
      }),
    ),
  }),
);

export const getMe: Route = (app, { auth }) => {
  app.get(
    '/v1/me',
    {
      onRequest: auth(),
      schema: {
        operationId: 'getMe',
        tags: ['tokens'],
        summary: 'The authenticated principal and its rate limits',
        security,
        response: {
          200: named(
            'Me',
            Type.Object({
              token_id: Nullable(Type.String()),
              hint: Nullable(Type.String({ description: 'Prefix and last four characters of the token' })),
              role: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
              name: Type.String(),
              via: Type.Union([Type.Literal('token'), Type.Literal('session')]),
              owner: Type.Object({ type: Type.String(), id: Type.String() }),
              project_id: ProjectIdSchema,
              scopes: Type.Array(Type.String()),
              expires_at: NullableTimestamp,
              rate_limits: RateLimitsView,
            }),
          ),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const policies = request.rateLimit?.policies ?? { token: [], owner: [], project: [] };
      const window = request.rateLimit?.result?.mostRestrictive ?? null;
      return {
        token_id: p.tokenId,
        hint: p.token?.hint ?? null,
        role: p.token?.role ?? null,
        name: p.name,
        via: p.via,
        owner: { type: p.ownerType, id: p.ownerId },
        project_id: p.projectId,
        scopes: p.scopes,
        expires_at: isoOrNull(p.expiresAt),
        rate_limits: {
          token: presentLimits(policies.token),
          owner: presentLimits(policies.owner),
          project: presentLimits(policies.project),
          effective: window && {
            policy: window.name,
            limit: window.limit,
            window_seconds: window.windowSeconds,
            remaining: window.remaining,
            reset_seconds: window.resetSeconds,
          },
        },
      };
    },
  );
};
