import { MAX_TOKEN_LENGTH, type RateLimitResult, VERIFY_CODES } from '@keyward/core';
import { Type } from 'typebox';
import { decideToken } from '../../services/token-decision.ts';
import { principalOf, type Route } from '../context.ts';
import { isoOrNull } from '../present.ts';
import { Nullable, NullableTimestamp, named, problemResponses, ScopeList, security } from '../schemas.ts';
import { ClientIpField, checkedClientIp } from './checked-client-ip.ts';

const Body = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: MAX_TOKEN_LENGTH }),
    required_scopes: Type.Optional(ScopeList),
    client_ip: ClientIpField,
  },
  { additionalProperties: false },
);

const RateLimitState = named(
  'RateLimitState',
  Type.Object({
    limit: Type.Integer(),
    remaining: Type.Integer(),
    reset_seconds: Type.Integer(),
    retry_after_seconds: Nullable(Type.Integer()),
  }),
);

export const VerifyResponse = named(
  'Verification',
  Type.Object({
    valid: Type.Boolean(),
    code: Type.Enum([...VERIFY_CODES]),
    token_id: Nullable(Type.String()),
    owner: Nullable(Type.Object({ type: Type.String(), id: Type.String() })),
    project_id: Nullable(Type.String()),
    scopes: Type.Array(Type.String()),
    expires_at: NullableTimestamp,
    rate_limit: Nullable(RateLimitState),
    missing_scopes: Type.Optional(Type.Array(Type.String())),
    /** The token's metadata; only on an answer that names the token (VALID, INSUFFICIENT_SCOPE, RATE_LIMITED). */
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
);

export function presentRateLimit(result: RateLimitResult | null) {
  const w = result?.mostRestrictive ?? null;
  if (w === null) return null;
  return {
    limit: w.limit,
    remaining: w.remaining,
    reset_seconds: w.resetSeconds,
    retry_after_seconds: w.retryAfterSeconds,
  };
}

/**
 * The provider API's door: the outcome is data (200 with valid:false and a code), like Unkey's
 * verify. The caller holds tokens:verify and only ever sees tokens of its own project.
 */
export const verifyToken: Route = (app, { deps, auth }) => {
  app.post(
    '/v1/verify',
    {
      onRequest: auth(['tokens:verify']),
      config: { policy: { exempt: 'verification answers about a token and changes nothing' } },
      schema: {
        operationId: 'verifyToken',
        tags: ['tokens'],
        summary: "Verify a caller's token: the same decision as every door, answered as data",
        security,
        body: Body,
        response: { 200: VerifyResponse, ...problemResponses },
      },
    },
    async (request) => {
      const caller = principalOf(request);
      const d = await decideToken(deps, request.body.token, request.body.required_scopes ?? [], {
        door: 'verify',
        ip: checkedClientIp(request.body.client_ip, request.ip),
        projectId: caller.projectId,
        throttle: false,
      });
      const state = d.lookup?.state ?? null;
      const metadata = d.principal !== null ? (d.lookup?.metadata ?? null) : null;
      return {
        valid: d.valid,
        code: d.code,
        token_id: state?.tokenId ?? null,
        owner: state ? { type: state.ownerType, id: state.ownerId } : null,
        project_id: state?.projectId ?? null,
        scopes: d.principal?.scopes ?? [],
        expires_at: isoOrNull(state?.expiresAt ?? null),
        rate_limit: presentRateLimit(d.rateLimit),
        ...(d.code === 'INSUFFICIENT_SCOPE' ? { missing_scopes: d.missingScopes } : {}),
        ...(metadata !== null ? { metadata } : {}),
      };
    },
  );
};
