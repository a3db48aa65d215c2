import type { Scope } from '@keyward/core';
import type { Selectable } from 'kysely';
import { fromJson } from '../json.ts';
import type { TokensTable } from '../schema.ts';
import type { RateLimitPolicy, Token, TokenMetadata } from '../types.ts';

const nullableMillis = (value: number | null): number | null => (value === null ? null : Number(value));

/** A token row with the columns every read derives (see `derivedColumns`). */
export type TokenRow = Selectable<TokensTable> & { owner_active: number | string; role_name: string | null };

export function toToken(row: TokenRow): Token {
  return {
    id: row.id,
    projectId: row.project_id,
    ownerType: row.owner_type,
    ownerId: row.owner_id,
    kind: row.kind,
    name: row.name,
    description: row.description,
    roleId: row.role_id,
    scopes: fromJson<Scope[]>(row.scopes),
    prefix: row.prefix,
    hint: row.hint,
    rateLimits: fromJson<RateLimitPolicy[]>(row.rate_limits),
    expiresAt: nullableMillis(row.expires_at),
    revokedAt: nullableMillis(row.revoked_at),
    revokedReason: row.revoked_reason,
    disabledAt: nullableMillis(row.disabled_at),
    lastRotatedAt: nullableMillis(row.last_rotated_at),
    lastUsedAt: nullableMillis(row.last_used_at),
    lastUsedIps: fromJson<string[]>(row.last_used_ips),
    admittedCount: Number(row.admitted_count),
    refusedCount: Number(row.refused_count),
    ownerActive: Number(row.owner_active) === 1,
    roleName: row.role_name,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    allowedIps: fromJson<string[]>(row.allowed_ips),
    metadata: fromJson<TokenMetadata>(row.metadata),
  };
}
