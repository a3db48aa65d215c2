import {
  callsKeyward,
  MAX_LEASE_UNITS,
  MAX_TOKEN_LENGTH,
  type RateLimitResult,
  type VerifyCode,
  type VerifyOutcome,
} from '@keyward/core';
import { Type } from 'typebox';
import { NO_LIMITS } from '../../services/rate-limits.ts';
import { principalOf, type Route } from '../context.ts';
import { isoOrNull } from '../present.ts';
import { Nullable, NullableTimestamp, problemResponses, ScopeList, security } from '../schemas.ts';
import { presentRateLimit, VerifyResponse } from '../verify/verify-token.ts';
import { leaseUnits } from './lease-units.ts';
import type { TokenProjects } from './project-changes.ts';

const Body = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: MAX_TOKEN_LENGTH }),
    required_scopes: Type.Optional(ScopeList),
    units: Type.Integer({
      minimum: 0,
      maximum: MAX_LEASE_UNITS,
      description: 'Units of the limits to lease',
    }),
  },
  { additionalProperties: false },
);

const Window = Type.Object({
  name: Type.String(),
  limit: Type.Integer(),
  window_seconds: Type.Integer(),
  remaining: Type.Integer(),
  reset_seconds: Type.Integer(),
});

const Response = Type.Intersect([
  VerifyResponse,
  Type.Object({
    secret_expires_at: NullableTimestamp,
    allowed_ips: Nullable(
      Type.Array(Type.String(), {
        description:
          "The token's IP allowlist (CIDRs; empty: any address), for the SDK to check each caller's address; null when the answer names no working token",
      }),
    ),
    lease: Nullable(
      Type.Object({
        granted: Type.Integer(),
        unlimited: Type.Boolean(),
        expires_in_ms: Type.Integer(),
        retry_after_seconds: Nullable(Type.Integer()),
        windows: Type.Array(Window),
      }),
    ),
  }),
]);

/** Windows as the RateLimit fields list them: the one with the least headroom first. */
function tightestFirst(result: RateLimitResult | null) {
  const first = result?.mostRestrictive;
  if (!result || !first) return [];
  return [first, ...result.windows.filter((w) => w !== first)];
}

/**
 * The provider SDK's verification: `/v1/verify`'s answer about the token (whatever the scopes, the
 * SDK decides them locally), plus a lease of `units` of its limits instead of one counted request.
 * Usage is not counted here: the SDK reports what it admitted in batches (POST /v1/sdk/usage).
 * The caller's address is not known here: the token's allowlist goes back for the SDK to check.
 */
export const sdkVerify =
  (known: TokenProjects): Route =>
  (app, { deps, auth }) => {
    app.post(
      '/v1/sdk/verify',
      {
        onRequest: auth(['tokens:verify']),
        config: { policy: { exempt: 'verification answers about a token and changes nothing' } },
        schema: {
          operationId: 'sdkVerifyAndLease',
          tags: ['sdk'],
          summary: "Verify a caller's token for an SDK cache and lease units of its rate limits",
          security,
          body: Body,
          response: { 200: Response, ...problemResponses },
        },
      },
      async (request) => {
        const caller = principalOf(request);
        const startedAt = performance.now();
        const verified = await deps.verifier.verify(request.body.token, request.body.required_scopes ?? []);
        const foreign = verified.lookup !== null && verified.lookup.state.projectId !== caller.projectId;
        const outcome: VerifyOutcome = foreign ? { valid: false, code: 'NOT_FOUND' } : verified.outcome;
        const lookup = foreign ? null : verified.lookup;
        const principal = outcome.principal ?? null;
        const lease = principal
          ? await leaseUnits(
              deps.rateLimits,
              {
                tokenId: principal.tokenId,
                ownerId: principal.ownerId,
                projectId: principal.projectId,
                policies: lookup?.rateLimits ?? NO_LIMITS,
                callsKeyward: callsKeyward(principal.scopes),
              },
              request.body.units,
            )
          : null;
        const limited = lease !== null && request.body.units > 0 && lease.granted === 0;
        const code: VerifyCode = limited ? 'RATE_LIMITED' : outcome.code;
        deps.metrics.verification('verify', code, code === 'MALFORMED' ? null : verified.cached, startedAt);
        const state = lookup?.state ?? null;
        if (state) known.remember(state.tokenId, state.projectId);
        const result = lease?.result ?? null;
        return {
          valid: code === 'VALID',
          code,
          token_id: state?.tokenId ?? null,
          owner: state ? { type: state.ownerType, id: state.ownerId } : null,
          project_id: state?.projectId ?? null,
          scopes: principal?.scopes ?? [],
          expires_at: isoOrNull(state?.expiresAt ?? null),
          rate_limit: presentRateLimit(result),
          ...(outcome.code === 'INSUFFICIENT_SCOPE' ? { missing_scopes: outcome.missingScopes } : {}),
          ...(principal !== null && lookup !== null ? { metadata: lookup.metadata } : {}),
          secret_expires_at: isoOrNull(state?.secretExpiresAt ?? null),
          allowed_ips: principal !== null && lookup !== null ? lookup.allowedIps : null,
          lease: lease && {
            granted: lease.granted,
            unlimited: lease.unlimited,
            expires_in_ms: lease.expiresInMs,
            retry_after_seconds: result && !result.allowed ? result.retryAfterSeconds : null,
            windows: tightestFirst(result).map((w) => ({
              name: w.name,
              limit: w.limit,
              window_seconds: w.windowSeconds,
              remaining: w.remaining,
              reset_seconds: w.resetSeconds,
            })),
          },
        };
      },
    );
  };
