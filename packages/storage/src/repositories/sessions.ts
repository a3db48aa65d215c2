import type { Selectable } from 'kysely';
import type { SessionsTable } from '../schema.ts';
import type { Db } from '../transaction.ts';
import type { Session, SessionRepository } from '../types.ts';

function toSession(row: Selectable<SessionsTable>): Session {
  return {
    id: row.id,
    secretHash: row.secret_hash,
    csrfToken: row.csrf_token,
    userId: row.user_id,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

export function createSessionRepository(db: Db): SessionRepository {
  return {
    async create(session) {
      await db
        .insertInto('sessions')
        .values({
          id: session.id,
          secret_hash: session.secretHash,
          csrf_token: session.csrfToken,
          user_id: session.userId,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
        })
        .execute();
    },

    async getBySecretHash(secretHash) {
      const row = await db
        .selectFrom('sessions')
        .selectAll()
        .where('secret_hash', '=', secretHash)
        .executeTakeFirst();
      return row ? toSession(row) : null;
    },

    async delete(id) {
      await db.deleteFrom('sessions').where('id', '=', id).execute();
    },

    async deleteForUser(userId) {
      await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
    },

    async purgeExpired(now) {
      const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
