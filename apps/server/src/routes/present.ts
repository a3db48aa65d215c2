import { tokenStatus } from '@keyward/core';
import type { Member, Project, RateLimitPolicy, Role, ServiceAccount, Token } from '@keyward/storage';

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export const presentLimits = (limits: RateLimitPolicy[]) =>
  limits.map((l) => ({ limit: l.limit, window_seconds: l.windowSeconds }));

export const parseLimits = (limits: { limit: number; window_seconds: number }[]): RateLimitPolicy[] =>
  limits.map((l) => ({ limit: l.limit, windowSeconds: l.window_seconds }));

export function presentToken(token: Token, now: number) {
  return {
    id: token.id,
    project_id: token.projectId,
    owner: { type: token.ownerType, id: token.ownerId },
    kind: token.kind,
    name: token.name,
    description: token.description,
    role_id: token.roleId,
    role_name: token.roleName,
    scopes: token.scopes,
    hint: token.hint,
    status: tokenStatus(token, now),
    rate_limits: presentLimits(token.rateLimits),
    created_at: iso(token.createdAt),
    created_by: token.createdBy,
    updated_at: iso(token.updatedAt),
    expires_at: isoOrNull(token.expiresAt),
    revoked_at: isoOrNull(token.revokedAt),
    revoked_reason: token.revokedReason,
    disabled_at: isoOrNull(token.disabledAt),
    last_rotated_at: isoOrNull(token.lastRotatedAt),
    last_used_at: isoOrNull(token.lastUsedAt),
    last_used_ips: token.lastUsedIps,
    allowed_ips: token.allowedIps,
    metadata: token.metadata,
    usage: { admitted: token.admittedCount, refused: token.refusedCount },
  };
}

export function presentRole(role: Role) {
  return {
    id: role.id,
    project_id: role.projectId,
    name: role.name,
    description: role.description,
    scopes: role.scopes,
    builtin: role.builtin,
    created_at: iso(role.createdAt),
    updated_at: iso(role.updatedAt),
  };
}

export function presentProject(project: Project) {
  return {
    id: project.id,
    name: project.name,
    token_prefix: project.tokenPrefix,
    settings: {
      max_token_lifetime_seconds: project.settings.maxTokenLifetimeSeconds,
      default_token_lifetime_seconds: project.settings.defaultTokenLifetimeSeconds,
      leak_action: project.settings.leakAction ?? 'revoke',
    },
    rate_limits: presentLimits(project.rateLimits),
    created_at: iso(project.createdAt),
    updated_at: iso(project.updatedAt),
  };
}

export function presentServiceAccount(account: ServiceAccount) {
  return {
    id: account.id,
    project_id: account.projectId,
    name: account.name,
    description: account.description,
    role_id: account.roleId,
    active: account.active,
    rate_limits: presentLimits(account.rateLimits),
    created_by: account.createdBy,
    created_at: iso(account.createdAt),
    updated_at: iso(account.updatedAt),
  };
}

export function presentMember(member: Member) {
  return {
    user_id: member.userId,
    email: member.email,
    name: member.name,
    active: member.active,
    role_id: member.roleId,
    role: member.roleName,
    created_at: iso(member.createdAt),
  };
}
