import type { UserId } from '@keyward/core';
import type { Selectable } from 'kysely';
import { fromFlag, fromJson, toFlag, toJson } from '../json.ts';
import type { UsersTable } from '../schema.ts';
import type { Db } from '../transaction.ts';
import type { RateLimitPolicy, User, UserRepository } from '../types.ts';

/** Emails compare case-insensitively through a lower-cased copy with a unique index. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    active: fromFlag(row.active),
    instanceAdmin: fromFlag(row.instance_admin),
    rateLimits: fromJson<RateLimitPolicy[]>(row.rate_limits),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function createUserRepository(db: Db): UserRepository {
  return {
    async create(user) {
      const row = await db
        .insertInto('users')
        .values({
          id: user.id,
          email: user.email,
          email_normalized: normalizeEmail(user.email),
          name: user.name,
          password_hash: user.passwordHash,
          active: toFlag(user.active),
          instance_admin: toFlag(user.instanceAdmin),
          rate_limits: toJson(user.rateLimits),
          created_at: user.createdAt,
          updated_at: user.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toUser(row);
    },

    async get(id: UserId) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toUser(row) : null;
    },

    async getByEmail(email) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('email_normalized', '=', normalizeEmail(email))
        .executeTakeFirst();
      return row ? toUser(row) : null;
    },

    async update(id, patch, now) {
      const row = await db
        .updateTable('users')
        .set({
          updated_at: now,
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }),
          ...(patch.active !== undefined && { active: toFlag(patch.active) }),
          ...(patch.rateLimits !== undefined && { rate_limits: toJson(patch.rateLimits) }),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? toUser(row) : null;
    },

    async count() {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
