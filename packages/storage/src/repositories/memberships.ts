import type { Selectable } from 'kysely';
import { fromFlag } from '../json.ts';
import type { MembershipsTable } from '../schema.ts';
import type { Db } from '../transaction.ts';
import type { Membership, MembershipRepository } from '../types.ts';

function toMembership(row: Selectable<MembershipsTable>): Membership {
  return {
    projectId: row.project_id,
    userId: row.user_id,
    roleId: row.role_id,
    createdAt: Number(row.created_at),
  };
}

export function createMembershipRepository(db: Db): MembershipRepository {
  return {
    async put(membership) {
      const row = await db
        .insertInto('memberships')
        .values({
          project_id: membership.projectId,
          user_id: membership.userId,
          role_id: membership.roleId,
          created_at: membership.createdAt,
        })
        .onConflict((oc) =>
          oc
            .columns(['project_id', 'user_id'])
            .doUpdateSet((eb) => ({ role_id: eb.ref('excluded.role_id') })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toMembership(row);
    },

    async get(projectId, userId) {
      const row = await db
        .selectFrom('memberships')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row ? toMembership(row) : null;
    },

    async list(projectId) {
      const rows = await db
        .selectFrom('memberships as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .innerJoin('roles as r', 'r.id', 'm.role_id')
        .selectAll('m')
        .select(['u.email', 'u.name', 'u.active', 'r.name as role_name'])
        .where('m.project_id', '=', projectId)
        .orderBy('u.email_normalized')
        .execute();
      return rows.map((row) => ({
        ...toMembership(row),
        email: row.email,
        name: row.name,
        active: fromFlag(row.active),
        roleName: row.role_name,
      }));
    },

    async remove(projectId, userId) {
      const result = await db
        .deleteFrom('memberships')
        .where('project_id', '=', projectId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
