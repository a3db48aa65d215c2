import type { TokenStatus } from '@keyward/core';
import { isId, type ProjectId, type TokenId } from '@keyward/core';
import { type ExpressionBuilder, sql, type UpdateObject } from 'kysely';
import { toJson } from '../json.ts';
import { checkLimit, decodeCursor, toPage } from '../paging.ts';
import type { Database } from '../schema.ts';
import { type Db, inTransaction } from '../transaction.ts';
import type { TokenFilter, TokenRepository, TokenSecret } from '../types.ts';
import { findTokenByHashes } from './token-lookup.ts';
import { toToken } from './token-rows.ts';
import { recordTokenUsage, tokenUsageSeries } from './token-usage.ts';

type TokensEb = ExpressionBuilder<Database, 'tokens'>;

/** The owner can still use the token: an active user still a member, or an active service account. */
function ownerActive(eb: TokensEb) {
  return eb.or([
    eb.and([
      eb('tokens.owner_type', '=', 'user'),
      eb.exists(
        eb
          .selectFrom('users as u')
          .innerJoin('memberships as m', 'm.user_id', 'u.id')
          .select('u.id')
          .whereRef(sql.ref('u.id'), '=', sql.ref('tokens.owner_id'))
          .whereRef('m.project_id', '=', 'tokens.project_id')
          .where('u.active', '=', 1),
      ),
    ]),
    eb.and([
      eb('tokens.owner_type', '=', 'service_account'),
      eb.exists(
        eb
          .selectFrom('service_accounts as sa')
          .select('sa.id')
          .whereRef(sql.ref('sa.id'), '=', sql.ref('tokens.owner_id'))
          .whereRef('sa.project_id', '=', 'tokens.project_id')
          .where('sa.active', '=', 1),
      ),
    ]),
  ]);
}

/** Read with every token row: its owner's activity and its role's name. */
const derivedColumns = (eb: TokensEb) => [
  eb.case().when(ownerActive(eb)).then(1).else(0).end().as('owner_active'),
  eb.selectFrom('roles as r').select('r.name').whereRef('r.id', '=', 'tokens.role_id').as('role_name'),
];

/** Status precedence follows the verify decision: revoked, expired, disabled, then the owner. */
function statusFilter(eb: TokensEb, status: TokenStatus, now: number) {
  const notExpired = eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]);
  const usable = [eb('revoked_at', 'is', null), eb('disabled_at', 'is', null), notExpired];
  switch (status) {
    case 'revoked':
      return eb('revoked_at', 'is not', null);
    case 'expired':
      return eb.and([eb('revoked_at', 'is', null), eb('expires_at', '<=', now)]);
    case 'disabled':
      return eb.and([eb('revoked_at', 'is', null), eb('disabled_at', 'is not', null), notExpired]);
    case 'owner_inactive':
      return eb.and([...usable, eb.not(ownerActive(eb))]);
    case 'active':
      return eb.and([...usable, ownerActive(eb)]);
  }
}

const bigint = (value: number) => sql<number>`cast(${value} as bigint)`;

function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function secretRow(tokenId: TokenId, secret: Omit<TokenSecret, 'tokenId'>) {
  return {
    hash: secret.hash,
    hash_version: secret.hashVersion,
    token_id: tokenId,
    created_at: secret.createdAt,
    expires_at: secret.expiresAt,
  };
}

export function createTokenRepository(db: Db): TokenRepository {
  /** Updates one token of a project (optionally only while it is not revoked); the new row or null. */
  async function updateOne(
    projectId: ProjectId,
    id: TokenId,
    changes:
      | UpdateObject<Database, 'tokens'>
      | ((eb: ExpressionBuilder<Database, 'tokens'>) => UpdateObject<Database, 'tokens'>),
    { unlessRevoked }: { unlessRevoked: boolean },
  ) {
    const row = await db
      .updateTable('tokens')
      .set(changes)
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .$if(unlessRevoked, (q) => q.where('revoked_at', 'is', null))
      .returningAll()
      .returning(derivedColumns)
      .executeTakeFirst();
    return row ? toToken(row) : null;
  }

  const liveTokens = (projectId: ProjectId) =>
    db.selectFrom('tokens').where('project_id', '=', projectId).where('revoked_at', 'is', null);

  return {
    create(token, secret) {
      return inTransaction(db, async (trx) => {
        const row = await trx
          .insertInto('tokens')
          .values({
            id: token.id,
            project_id: token.projectId,
            owner_type: token.ownerType,
            owner_id: token.ownerId,
            kind: token.kind,
            name: token.name,
            description: token.description,
            role_id: token.roleId,
            scopes: toJson(token.scopes),
            prefix: token.prefix,
            hint: token.hint,
            rate_limits: toJson(token.rateLimits),
            expires_at: token.expiresAt,
            revoked_at: null,
            revoked_reason: null,
            disabled_at: null,
            last_rotated_at: null,
            last_used_at: null,
            last_used_ips: '[]',
            admitted_count: 0,
            refused_count: 0,
            created_by: token.createdBy,
            created_at: token.createdAt,
            updated_at: token.createdAt,
            allowed_ips: toJson(token.allowedIps ?? []),
            metadata: toJson(token.metadata ?? {}),
          })
          .returningAll()
          .returning(derivedColumns)
          .executeTakeFirstOrThrow();
        await trx.insertInto('token_secrets').values(secretRow(token.id, secret)).execute();
        return toToken(row);
      });
    },

    async get(projectId, id) {
      const row = await db
        .selectFrom('tokens')
        .selectAll()
        .select(derivedColumns)
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toToken(row) : null;
    },

    async list(filter: TokenFilter, page) {
      const limit = checkLimit(page);
      const after = decodeCursor(page.cursor, (key) => isId('token', key));
      const { ownerType, ownerId, status, kind, roleId, search, expiresBefore } = filter;
      const rows = await db
        .selectFrom('tokens')
        .selectAll()
        .select(derivedColumns)
        .where('project_id', '=', filter.projectId)
        .$if(after !== null, (q) => q.where('id', '<', after as TokenId))
        .$if(ownerType !== undefined, (q) => q.where('owner_type', '=', ownerType!))
        .$if(ownerId !== undefined, (q) => q.where(sql.ref('owner_id'), '=', ownerId!))
        .$if(kind !== undefined, (q) => q.where('kind', '=', kind!))
        .$if(roleId !== undefined, (q) => q.where('role_id', '=', roleId!))
        .$if(expiresBefore !== undefined, (q) =>
          q.where('expires_at', 'is not', null).where('expires_at', '<', expiresBefore!),
        )
        .$if(status !== undefined, (q) => q.where((eb) => statusFilter(eb, status!, filter.now)))
        .$if(search !== undefined && search !== '', (q) =>
          q.where(sql<boolean>`lower(name) like ${likePattern(search!)} escape '\\'`),
        )
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toToken), limit, (t) => t.id);
    },

    findByHashes: (hashes) => findTokenByHashes(db, hashes),

    async findPersonal(projectId, userId) {
      const row = await liveTokens(projectId)
        .selectAll()
        .select(derivedColumns)
        .where('kind', '=', 'personal')
        .where('owner_type', '=', 'user')
        .where('owner_id', '=', userId)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row ? toToken(row) : null;
    },

    update(projectId, id, patch, now) {
      return updateOne(
        projectId,
        id,
        {
          updated_at: now,
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.scopes !== undefined && { scopes: toJson(patch.scopes) }),
          ...(patch.roleId !== undefined && { role_id: patch.roleId }),
          ...(patch.expiresAt !== undefined && { expires_at: patch.expiresAt }),
          ...(patch.rateLimits !== undefined && { rate_limits: toJson(patch.rateLimits) }),
          ...(patch.allowedIps !== undefined && { allowed_ips: toJson(patch.allowedIps) }),
          ...(patch.metadata !== undefined && { metadata: toJson(patch.metadata) }),
        },
        { unlessRevoked: false },
      );
    },

    revoke(projectId, id, reason, now) {
      return updateOne(
        projectId,
        id,
        { revoked_at: now, revoked_reason: reason, updated_at: now },
        { unlessRevoked: true },
      );
    },

    setDisabled(projectId, id, disabled, now) {
      return updateOne(
        projectId,
        id,
        (eb: ExpressionBuilder<Database, 'tokens'>) => ({
          disabled_at: disabled ? eb.fn.coalesce('disabled_at', eb.val(now)) : null,
          updated_at: now,
        }),
        { unlessRevoked: true },
      );
    },

    rotate(projectId, id, secret, oldSecretsExpireAt, hint, now) {
      return inTransaction(db, async (trx) => {
        // The guard is the first write, so it also locks the token row until the transaction ends.
        const row = await trx
          .updateTable('tokens')
          .set({ hint, last_rotated_at: now, updated_at: now })
          .where('project_id', '=', projectId)
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
          .returningAll()
          .returning(derivedColumns)
          .executeTakeFirst();
        if (!row) return null;
        if (oldSecretsExpireAt <= now) {
          // Ended secrets keep their hash, so they answer ROTATED rather than unknown.
          await trx
            .insertInto('rotated_secrets')
            .columns(['hash', 'hash_version', 'token_id', 'expires_at'])
            .expression((eb) =>
              eb
                .selectFrom('token_secrets')
                .select([
                  'hash',
                  'hash_version',
                  'token_id',
                  sql<number>`case when expires_at < ${bigint(now)} then expires_at else ${bigint(now)} end`.as(
                    'expires_at',
                  ),
                ])
                .where('token_id', '=', id),
            )
            .execute();
          await trx.deleteFrom('token_secrets').where('token_id', '=', id).execute();
        } else {
          await trx
            .updateTable('token_secrets')
            .set({ expires_at: oldSecretsExpireAt })
            .where('token_id', '=', id)
            .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', oldSecretsExpireAt)]))
            .execute();
        }
        await trx.insertInto('token_secrets').values(secretRow(id, secret)).execute();
        return toToken(row);
      });
    },

    async revokeByOwner(projectId, ownerId, reason, now) {
      // Passing the project's own id as the owner revokes every live token of the project.
      const rows = await db
        .updateTable('tokens')
        .set({ revoked_at: now, revoked_reason: reason, updated_at: now })
        .where('project_id', '=', projectId)
        .where('revoked_at', 'is', null)
        .$if(ownerId !== projectId, (q) => q.where(sql.ref('owner_id'), '=', ownerId))
        .returning('id')
        .execute();
      return rows.map((r) => r.id);
    },

    async idsByRole(projectId, roleId) {
      // A role gives rights to tokens bound to it and, as the owner's role, to every token of its holders.
      const rows = await liveTokens(projectId)
        .select('id')
        .where((eb) =>
          eb.or([
            eb('role_id', '=', roleId),
            eb.and([
              eb('owner_type', '=', 'user'),
              eb.exists(
                eb
                  .selectFrom('memberships as m')
                  .select('m.user_id')
                  .whereRef('m.project_id', '=', 'tokens.project_id')
                  .whereRef(sql.ref('m.user_id'), '=', sql.ref('tokens.owner_id'))
                  .where('m.role_id', '=', roleId),
              ),
            ]),
            eb.and([
              eb('owner_type', '=', 'service_account'),
              eb.exists(
                eb
                  .selectFrom('service_accounts as sa')
                  .select('sa.id')
                  .whereRef(sql.ref('sa.id'), '=', sql.ref('tokens.owner_id'))
                  .where('sa.role_id', '=', roleId),
              ),
            ]),
          ]),
        )
        .execute();
      return rows.map((r) => r.id);
    },

    async idsByOwner(ownerId) {
      const rows = await db
        .selectFrom('tokens')
        .select('id')
        .where(sql.ref('owner_id'), '=', ownerId)
        .where('revoked_at', 'is', null)
        .execute();
      return rows.map((r) => r.id);
    },

    async secretHashes(id) {
      const rows = await db.selectFrom('token_secrets').select('hash').where('token_id', '=', id).execute();
      return rows.map((r) => r.hash);
    },

    async hasImported() {
      const row = await db
        .selectFrom('tokens')
        .select('id')
        .where('kind', '=', 'imported')
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    recordUsage: (lastUsed, counts) => recordTokenUsage(db, lastUsed, counts),
    usageSeries: (id, from, to) => tokenUsageSeries(db, id, from, to),

    async purgeEndedSecrets(before) {
      const rotated = await db
        .deleteFrom('rotated_secrets')
        .where('expires_at', '<', before)
        .executeTakeFirst();
      const graced = await db
        .deleteFrom('token_secrets')
        .where('expires_at', 'is not', null)
        .where('expires_at', '<', before)
        .executeTakeFirst();
      return Number(rotated.numDeletedRows) + Number(graced.numDeletedRows);
    },
  };
}
