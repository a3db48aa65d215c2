import type { Scope } from '@keyward/core';
import type { Selectable } from 'kysely';
import { fromJson } from '../json.ts';
import type { TokensTable } from '../schema.ts';
import type { RateLimitPolicy, Token } from '../types.ts';

const nullableMillis = (value: number | null): number | null => (value === null ? null : Number(value));

export function toToken(row: Selectable<TokensTable>): Token {
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
    usageCount: Number(row.usage_count),
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
