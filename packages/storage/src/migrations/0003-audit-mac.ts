import type { Kysely, Migration } from 'kysely';

/**
 * The audit chain becomes keyed (HMAC under a key derived from the pepper, see ADR 0008): each
 * event names the key version that MACs it and how many occurrences it stands for (a coalesced
 * flood is one event). Events from before have no key version and no longer verify.
 */
export const auditMac: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('audit_events')
      .addColumn('count', 'bigint', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.alterTable('audit_events').addColumn('key_version', 'integer').execute();
  },
};
