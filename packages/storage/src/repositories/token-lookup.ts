import { INSTANCE_ADMIN_SCOPE, type Scope } from '@keyward/core';
import { fromFlag, fromJson } from '../json.ts';
import type { Db } from '../transaction.ts';
import type { RateLimitPolicy, TokenLookup, TokenMetadata } from '../types.ts';

const scopesOf = (json: string | null): Scope[] => (json === null ? [] : fromJson<Scope[]>(json));
const limitsOf = (json: string | null): RateLimitPolicy[] =>
  json === null ? [] : fromJson<RateLimitPolicy[]>(json);
const millisOrNull = (value: number | null): number | null => (value === null ? null : Number(value));

type SecretTable = 'token_secrets' | 'rotated_secrets';

/** Secret → token → token role → owner (user and membership role, or service account and its role) → project. */
function lookupQuery(db: Db, source: SecretTable, hashes: readonly string[]) {
  // Both tables have the columns read here (hash, hash_version, token_id, expires_at).
  return db
    .selectFrom(`${source} as s` as 'token_secrets as s')
    .innerJoin('tokens as t', 't.id', 's.token_id')
    .innerJoin('projects as p', 'p.id', 't.project_id')
    .leftJoin('roles as tr', 'tr.id', 't.role_id')
    .leftJoin('users as u', (join) => join.onRef('u.id', '=', 't.owner_id').on('t.owner_type', '=', 'user'))
    .leftJoin('memberships as m', (join) =>
      join.onRef('m.user_id', '=', 'u.id').onRef('m.project_id', '=', 't.project_id'),
    )
    .leftJoin('roles as mr', 'mr.id', 'm.role_id')
    .leftJoin('service_accounts as sa', (join) =>
      join
        .onRef('sa.id', '=', 't.owner_id')
        .onRef('sa.project_id', '=', 't.project_id')
        .on('t.owner_type', '=', 'service_account'),
    )
    .leftJoin('roles as sr', 'sr.id', 'sa.role_id')
    .select([
      's.hash',
      's.hash_version',
      's.expires_at as secret_expires_at',
      't.id',
      't.project_id',
      't.owner_type',
      't.owner_id',
      't.name',
      't.role_id',
      't.hint',
      'tr.name as token_role_name',
      't.scopes',
      't.rate_limits',
      't.expires_at',
      't.revoked_at',
      't.disabled_at',
      't.allowed_ips',
      't.metadata',
      'tr.scopes as token_role_scopes',
      'u.active as user_active',
      'u.instance_admin',
      'u.rate_limits as user_rate_limits',
      'm.user_id as member_id',
      'mr.scopes as member_role_scopes',
      'sa.active as sa_active',
      'sa.rate_limits as sa_rate_limits',
      'sr.scopes as sa_role_scopes',
      'p.rate_limits as project_rate_limits',
    ])
    .where('s.hash', 'in', hashes);
}

/**
 * The verify path's read: one indexed statement over the live secrets; only on a miss, a second
 * over the secrets rotations ended (their state says ROTATED), so unknown tokens cost one more read.
 */
export async function findTokenByHashes(db: Db, hashes: readonly string[]): Promise<TokenLookup | null> {
  if (hashes.length === 0) return null;
  let rows = await lookupQuery(db, 'token_secrets', hashes).execute();
  if (rows.length === 0) rows = await lookupQuery(db, 'rotated_secrets', hashes).execute();
  // Several hashes are candidates under different peppers; the caller lists the current one first.
  const row = hashes.map((hash) => rows.find((r) => r.hash === hash)).find((r) => r !== undefined);
  if (row === undefined) return null;

  const isUser = row.owner_type === 'user';
  const scopes = row.role_id !== null ? scopesOf(row.token_role_scopes) : scopesOf(row.scopes);
  const ownerScopes = isUser ? scopesOf(row.member_role_scopes) : scopesOf(row.sa_role_scopes);
  if (isUser && row.instance_admin !== null && fromFlag(row.instance_admin)) {
    ownerScopes.push(INSTANCE_ADMIN_SCOPE);
  }
  const ownerActive = isUser
    ? row.user_active !== null && fromFlag(row.user_active) && row.member_id !== null
    : row.sa_active !== null && fromFlag(row.sa_active);

  return {
    state: {
      tokenId: row.id,
      projectId: row.project_id,
      ownerType: row.owner_type,
      ownerId: row.owner_id,
      name: row.name,
      scopes,
      ownerScopes,
      ownerActive,
      expiresAt: millisOrNull(row.expires_at),
      revokedAt: millisOrNull(row.revoked_at),
      disabledAt: millisOrNull(row.disabled_at),
      secretExpiresAt: millisOrNull(row.secret_expires_at),
    },
    hashVersion: Number(row.hash_version),
    hint: row.hint,
    role:
      row.role_id !== null && row.token_role_name !== null
        ? { id: row.role_id, name: row.token_role_name }
        : null,
    rateLimits: {
      token: limitsOf(row.rate_limits),
      owner: limitsOf(isUser ? row.user_rate_limits : row.sa_rate_limits),
      project: limitsOf(row.project_rate_limits),
    },
    allowedIps: fromJson<string[]>(row.allowed_ips),
    metadata: fromJson<TokenMetadata>(row.metadata),
  };
}
