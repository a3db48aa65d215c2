import type { Selectable } from 'kysely';
import { fromFlag, fromJson, toFlag, toJson } from '../json.ts';
import type { ServiceAccountsTable } from '../schema.ts';
import type { Db } from '../transaction.ts';
import type { RateLimitPolicy, ServiceAccount, ServiceAccountRepository } from '../types.ts';

function toServiceAccount(row: Selectable<ServiceAccountsTable>): ServiceAccount {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    description: row.description,
    roleId: row.role_id,
    active: fromFlag(row.active),
    rateLimits: fromJson<RateLimitPolicy[]>(row.rate_limits),
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function createServiceAccountRepository(db: Db): ServiceAccountRepository {
  return {
    async create(account) {
      const row = await db
        .insertInto('service_accounts')
        .values({
          id: account.id,
          project_id: account.projectId,
          name: account.name,
          description: account.description,
          role_id: account.roleId,
          active: toFlag(account.active),
          rate_limits: toJson(account.rateLimits),
          created_by: account.createdBy,
          created_at: account.createdAt,
          updated_at: account.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toServiceAccount(row);
    },

    async get(projectId, id) {
      const row = await db
        .selectFrom('service_accounts')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toServiceAccount(row) : null;
    },

    async list(projectId) {
      const rows = await db
        .selectFrom('service_accounts')
        .selectAll()
        .where('project_id', '=', projectId)
        .orderBy('name')
        .orderBy('id')
        .execute();
      return rows.map(toServiceAccount);
    },

    async update(projectId, id, patch, now) {
      const row = await db
        .updateTable('service_accounts')
        .set({
          updated_at: now,
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.roleId !== undefined && { role_id: patch.roleId }),
          ...(patch.active !== undefined && { active: toFlag(patch.active) }),
          ...(patch.rateLimits !== undefined && { rate_limits: toJson(patch.rateLimits) }),
        })
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? toServiceAccount(row) : null;
    },
  };
}
