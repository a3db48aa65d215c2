import {
  idPattern,
  PASSWORD_MIN_LENGTH,
  ROLE_NAME_PATTERN,
  SCOPE_PATTERN,
  TOKEN_PREFIX_PATTERN,
  TOKEN_STATUSES,
} from '@keyward/core';
import { type TSchema, Type } from 'typebox';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** The keyword naming a schema's component in the OpenAPI document (see plugins/openapi-contract.ts). */
export const COMPONENT_KEYWORD = 'x-component';

/**
 * Names a schema: the OpenAPI document lists it once under `components.schemas` and refers to it
 * with `$ref` wherever a route uses it. Validation and serialization ignore the keyword.
 */
export function named<T extends TSchema>(name: string, schema: T): T {
  return Object.assign(schema, { [COMPONENT_KEYWORD]: name });
}

export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = Nullable(Timestamp);

export const ProjectIdSchema = Type.String({ pattern: idPattern('project'), description: 'prj_…' });
export const TokenIdSchema = Type.String({ pattern: idPattern('token'), description: 'tok_…' });
export const UserIdSchema = Type.String({ pattern: idPattern('user'), description: 'usr_…' });
export const RoleIdSchema = Type.String({ pattern: idPattern('role'), description: 'rol_…' });
export const ServiceAccountIdSchema = Type.String({
  pattern: idPattern('serviceAccount'),
  description: 'sa_…',
});
export const ErrorIdSchema = Type.String({ pattern: idPattern('error'), description: 'err_…' });

export const ScopeSchema = Type.String({
  pattern: SCOPE_PATTERN,
  maxLength: 129,
  description: 'resource:action',
});
export const ScopeList = Type.Array(ScopeSchema, { maxItems: 100, uniqueItems: true });
export const RoleNameSchema = Type.String({ pattern: ROLE_NAME_PATTERN });
export const TokenPrefixSchema = Type.String({ pattern: TOKEN_PREFIX_PATTERN, maxLength: 33 });
export const Name = Type.String({ minLength: 1, maxLength: 200 });
export const Description = Type.String({ maxLength: 1000 });
export const Email = Type.String({ format: 'email', maxLength: 254 });
export const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: 1024 });

export const RateLimitPolicySchema = named(
  'RateLimitPolicy',
  Type.Object(
    {
      limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
      window_seconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
    },
    { additionalProperties: false },
  ),
);
export const RateLimitList = Type.Array(RateLimitPolicySchema, { maxItems: 5 });

export const Problem = named(
  'Problem',
  Type.Object(
    {
      type: Type.String(),
      title: Type.String(),
      status: Type.Integer(),
      detail: Type.String(),
      instance: Type.String(),
      code: Type.String(),
      error_id: ErrorIdSchema,
      request_id: Type.String(),
    },
    { additionalProperties: true, description: 'RFC 9457 problem details' },
  ),
);

/** Every protected route documents the same failures. */
export const problemResponses = {
  400: Problem,
  401: Problem,
  403: Problem,
  404: Problem,
  409: Problem,
  413: Problem,
  415: Problem,
  422: Problem,
  429: Problem,
  500: Problem,
  503: Problem,
};

export const Paging = {
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
};

export const security: Record<string, string[]>[] = [{ bearer: [] }, { apiKey: [] }, { session: [] }];

export const TokenStatusSchema = named(
  'TokenStatus',
  Type.Enum([...TOKEN_STATUSES], {
    description: 'owner_inactive: the owner was deactivated or left the project; the token is refused',
  }),
);

export const TokenView = named(
  'TokenView',
  Type.Object({
    id: TokenIdSchema,
    project_id: ProjectIdSchema,
    owner: Type.Object({
      type: Type.Union([Type.Literal('user'), Type.Literal('service_account')]),
      id: Type.String(),
    }),
    kind: Type.String(),
    name: Type.String(),
    description: Type.String(),
    role_id: Nullable(RoleIdSchema),
    role_name: Nullable(Type.String()),
    scopes: Type.Array(Type.String()),
    hint: Type.String({ description: 'Prefix and last four characters; never the secret' }),
    status: TokenStatusSchema,
    rate_limits: Type.Array(RateLimitPolicySchema),
    created_at: Timestamp,
    created_by: Nullable(Type.String()),
    updated_at: Timestamp,
    expires_at: NullableTimestamp,
    revoked_at: NullableTimestamp,
    revoked_reason: Nullable(Type.String()),
    disabled_at: NullableTimestamp,
    last_rotated_at: NullableTimestamp,
    last_used_at: NullableTimestamp,
    last_used_ips: Type.Array(Type.String()),
    allowed_ips: Type.Array(Type.String(), { description: 'CIDRs the token may be used from; empty: any' }),
    metadata: Type.Record(Type.String(), Type.Unknown(), { description: 'Returned by every verify door' }),
    usage: Type.Object(
      {
        admitted: Type.Integer({ description: 'Requests the token was admitted for' }),
        refused: Type.Integer({
          description: 'Attempts refused: expired, disabled, over a limit, lacking a scope…',
        }),
      },
      { description: 'Counted per attempt; last_used_at follows admitted requests only' },
    ),
  }),
);

/** A token view plus its secret: the only response that ever carries one. */
export const TokenWithSecret = named(
  'TokenWithSecret',
  Type.Intersect([
    TokenView,
    Type.Object({ token: Type.String({ description: 'The secret. Shown once; store it now.' }) }),
  ]),
);

/** A replayed `Idempotency-Key` request: the token as it is now; its secret went with the first answer. */
export const TokenReplay = named(
  'TokenReplay',
  Type.Intersect([
    TokenView,
    Type.Object({
      secret_already_delivered: Type.Literal(true, {
        description: 'The secret was in the answer to the first request with this Idempotency-Key',
      }),
    }),
  ]),
);

/** The answer of a call that issues a secret and takes an `Idempotency-Key`. */
export const TokenWithSecretOrReplay = named(
  'TokenWithSecretOrReplay',
  Type.Union([TokenWithSecret, TokenReplay]),
);

export const RoleView = named(
  'RoleView',
  Type.Object({
    id: RoleIdSchema,
    project_id: ProjectIdSchema,
    name: Type.String(),
    description: Type.String(),
    scopes: Type.Array(Type.String()),
    builtin: Type.Boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  }),
);

export const ProjectView = named(
  'ProjectView',
  Type.Object({
    id: ProjectIdSchema,
    name: Type.String(),
    token_prefix: Type.String(),
    settings: Type.Object({
      max_token_lifetime_seconds: Nullable(Type.Integer()),
      default_token_lifetime_seconds: Nullable(Type.Integer()),
      leak_action: Type.Union([Type.Literal('revoke'), Type.Literal('notify')]),
    }),
    rate_limits: Type.Array(RateLimitPolicySchema),
    created_at: Timestamp,
    updated_at: Timestamp,
  }),
);

export const ServiceAccountView = named(
  'ServiceAccountView',
  Type.Object({
    id: ServiceAccountIdSchema,
    project_id: ProjectIdSchema,
    name: Type.String(),
    description: Type.String(),
    role_id: RoleIdSchema,
    active: Type.Boolean(),
    rate_limits: Type.Array(RateLimitPolicySchema),
    created_by: Nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
  }),
);

export const MemberView = named(
  'MemberView',
  Type.Object({
    user_id: UserIdSchema,
    email: Type.String(),
    name: Type.String(),
    active: Type.Boolean(),
    role_id: RoleIdSchema,
    role: Type.String(),
    created_at: Timestamp,
  }),
);
