import { MAX_REDEEM_FAILURES } from '@keyward/core';
import type { Selectable } from 'kysely';
import type { InvitationsTable } from '../schema.ts';
import type { Db } from '../transaction.ts';
import type { Invitation, InvitationRepository } from '../types.ts';
import { normalizeEmail } from './users.ts';

const millisOrNull = (value: number | null): number | null => (value === null ? null : Number(value));

function toInvitation(row: Selectable<InvitationsTable>): Invitation {
  return {
    id: row.id,
    projectId: row.project_id,
    email: row.email,
    roleId: row.role_id,
    codeHash: row.code_hash,
    hashVersion: Number(row.hash_version),
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    failedAttempts: Number(row.failed_attempts),
    redeemedAt: millisOrNull(row.redeemed_at),
    redeemedBy: row.redeemed_by,
    revokedAt: millisOrNull(row.revoked_at),
  };
}

export function createInvitationRepository(db: Db): InvitationRepository {
  const open = () =>
    db.updateTable('invitations').where('redeemed_at', 'is', null).where('revoked_at', 'is', null);

  return {
    async create(invitation) {
      const row = await db
        .insertInto('invitations')
        .values({
          id: invitation.id,
          project_id: invitation.projectId,
          email: invitation.email,
          email_normalized: normalizeEmail(invitation.email),
          role_id: invitation.roleId,
          code_hash: invitation.codeHash,
          hash_version: invitation.hashVersion,
          created_by: invitation.createdBy,
          created_at: invitation.createdAt,
          expires_at: invitation.expiresAt,
          failed_attempts: 0,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toInvitation(row);
    },

    async findByCodeHashes(hashes) {
      if (hashes.length === 0) return null;
      const rows = await db.selectFrom('invitations').selectAll().where('code_hash', 'in', hashes).execute();
      const row = hashes.map((hash) => rows.find((r) => r.code_hash === hash)).find((r) => r !== undefined);
      return row ? toInvitation(row) : null;
    },

    async listPending(projectId, now) {
      const rows = await db
        .selectFrom('invitations as i')
        .innerJoin('roles as r', 'r.id', 'i.role_id')
        .selectAll('i')
        .select('r.name as role_name')
        .where('i.project_id', '=', projectId)
        .where('i.redeemed_at', 'is', null)
        .where('i.revoked_at', 'is', null)
        .where('i.failed_attempts', '<', MAX_REDEEM_FAILURES)
        .where('i.expires_at', '>', now)
        .orderBy('i.id', 'desc')
        .execute();
      return rows.map((row) => ({ ...toInvitation(row), roleName: row.role_name }));
    },

    async revoke(projectId, id, now) {
      const row = await open()
        .set({ revoked_at: now })
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? toInvitation(row) : null;
    },

    async revokeOpenForEmail(projectId, email, now) {
      const rows = await open()
        .set({ revoked_at: now })
        .where('project_id', '=', projectId)
        .where('email_normalized', '=', normalizeEmail(email))
        .returning('id')
        .execute();
      return rows.map((row) => row.id);
    },

    async failuresForEmail(email, since) {
      const row = await db
        .selectFrom('invitations')
        .select((eb) => eb.fn.sum<number | string | null>('failed_attempts').as('n'))
        .where('email_normalized', '=', normalizeEmail(email))
        .where('created_at', '>=', since)
        .executeTakeFirstOrThrow();
      return Number(row.n ?? 0);
    },

    async recordFailure(id) {
      const row = await db
        .updateTable('invitations')
        .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
        .where('id', '=', id)
        .returning('failed_attempts')
        .executeTakeFirst();
      return row ? Number(row.failed_attempts) : 0;
    },

    async markRedeemed(id, userId, now) {
      const result = await open()
        .set({ redeemed_at: now, redeemed_by: userId })
        .where('id', '=', id)
        .where('failed_attempts', '<', MAX_REDEEM_FAILURES)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
