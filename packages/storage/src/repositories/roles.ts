import type { Scope } from '@keyward/core';
import type { Selectable } from 'kysely';
import { fromFlag, fromJson, toFlag, toJson } from '../json.ts';
import type { RolesTable } from '../schema.ts';
import type { Db } from '../transaction.ts';
import type { Role, RoleRepository } from '../types.ts';

export function toRole(row: Selectable<RolesTable>): Role {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    description: row.description,
    scopes: fromJson<Scope[]>(row.scopes),
    builtin: fromFlag(row.builtin),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function createRoleRepository(db: Db): RoleRepository {
  return {
    async create(role) {
      const row = await db
        .insertInto('roles')
        .values({
          id: role.id,
          project_id: role.projectId,
          name: role.name,
          description: role.description,
          scopes: toJson(role.scopes),
          builtin: toFlag(role.builtin),
          created_at: role.createdAt,
          updated_at: role.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRole(row);
    },

    async get(projectId, id) {
      const row = await db
        .selectFrom('roles')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toRole(row) : null;
    },

    async getByName(projectId, name) {
      const row = await db
        .selectFrom('roles')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row ? toRole(row) : null;
    },

    async list(projectId) {
      const rows = await db
        .selectFrom('roles')
        .selectAll()
        .where('project_id', '=', projectId)
        .orderBy('name')
        .execute();
      return rows.map(toRole);
    },

    async update(projectId, id, patch, now) {
      const row = await db
        .updateTable('roles')
        .set({
          updated_at: now,
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.scopes !== undefined && { scopes: toJson(patch.scopes) }),
        })
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? toRole(row) : null;
    },

    async delete(projectId, id) {
      // One guarded statement: the check and the delete cannot be split by a concurrent assignment.
      const result = await db
        .deleteFrom('roles')
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .where(({ and, not, exists, selectFrom }) =>
          and([
            not(exists(selectFrom('memberships').select('role_id').where('memberships.role_id', '=', id))),
            not(
              exists(selectFrom('service_accounts').select('id').where('service_accounts.role_id', '=', id)),
            ),
            not(
              exists(
                selectFrom('tokens')
                  .select('id')
                  .where('tokens.role_id', '=', id)
                  .where('tokens.revoked_at', 'is', null),
              ),
            ),
          ]),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
