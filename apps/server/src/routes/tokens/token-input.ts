import { checkMetadata, KeywardError, parseAllowedIps, type RoleId, type Scope } from '@keyward/core';
import { Type } from 'typebox';
import type { ExpiryInput } from '../../services/token-expiry.ts';
import { parseLimits } from '../present.ts';
import {
  Description,
  Name,
  Nullable,
  RateLimitList,
  RoleIdSchema,
  ScopeList,
  Timestamp,
} from '../schemas.ts';

/** Fields shared by create and update; owner and project are never accepted from a body. */
export const tokenFields = {
  name: Name,
  description: Type.Optional(Description),
  scopes: Type.Optional(ScopeList),
  role_id: Type.Optional(Nullable(RoleIdSchema)),
  expires_in_seconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 10 * 365 * 86_400 })),
  expires_at: Type.Optional(Nullable(Timestamp)),
  rate_limits: Type.Optional(RateLimitList),
  allowed_ips: Type.Optional(
    Type.Array(Type.String({ maxLength: 64 }), {
      maxItems: 100,
      description: 'IPv4/IPv6 addresses or CIDRs the token may be used from; empty: any address',
    }),
  ),
  metadata: Type.Optional(
    Type.Record(Type.String({ maxLength: 256 }), Type.Unknown(), {
      description: 'A JSON object of at most 4 KB, returned by every verify door',
    }),
  ),
};

export type TokenFieldsBody = {
  name?: string;
  description?: string;
  scopes?: Scope[];
  role_id?: string | null;
  expires_in_seconds?: number;
  expires_at?: string | null;
  rate_limits?: { limit: number; window_seconds: number }[];
  allowed_ips?: string[];
  metadata?: Record<string, unknown>;
};

function controlsInput(body: TokenFieldsBody) {
  const controls: { allowedIps?: string[]; metadata?: Record<string, unknown> } = {};
  if (body.allowed_ips !== undefined) {
    const parsed = parseAllowedIps(body.allowed_ips);
    if (!parsed.ok) throw new KeywardError('VALIDATION_FAILED', `allowed_ips: ${parsed.error}`);
    controls.allowedIps = parsed.cidrs;
  }
  if (body.metadata !== undefined) {
    const checked = checkMetadata(body.metadata);
    if (!checked.ok) throw new KeywardError('VALIDATION_FAILED', checked.error);
    controls.metadata = checked.metadata;
  }
  return controls;
}

export function toTokenInput(body: TokenFieldsBody) {
  if (body.scopes !== undefined && body.role_id) {
    throw new KeywardError('VALIDATION_FAILED', 'Give either scopes or role_id, not both');
  }
  if (body.expires_in_seconds !== undefined && body.expires_at !== undefined) {
    throw new KeywardError('VALIDATION_FAILED', 'Give either expires_in_seconds or expires_at, not both');
  }
  const expiry: ExpiryInput = {};
  if (body.expires_in_seconds !== undefined) expiry.expiresInSeconds = body.expires_in_seconds;
  if (body.expires_at !== undefined) expiry.expiresAt = body.expires_at;
  return {
    ...expiry,
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.scopes !== undefined ? { scopes: body.scopes } : {}),
    ...(body.role_id !== undefined ? { roleId: body.role_id as RoleId | null } : {}),
    ...(body.rate_limits !== undefined ? { rateLimits: parseLimits(body.rate_limits) } : {}),
    ...controlsInput(body),
  };
}
