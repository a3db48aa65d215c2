import { endpointWants, newId, type TokenId } from '@keyward/core';
import { PostgresAdapter, type Selectable, sql } from 'kysely';
import { fromJson, toJson } from '../json.ts';
import type { TokensTable, WebhookDeliveriesTable, WebhookEndpointsTable } from '../schema.ts';
import type { Db } from '../transaction.ts';
import type {
  ClaimedDelivery,
  ReminderCandidate,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookRepository,
} from '../types.ts';

const millisOrNull = (value: number | null): number | null => (value === null ? null : Number(value));
const numberOrNull = millisOrNull;

function toEndpoint(row: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
  return {
    id: row.id,
    projectId: row.project_id,
    url: row.url,
    description: row.description,
    events: fromJson<string[]>(row.events),
    sealedSecret: row.sealed_secret,
    disabledAt: millisOrNull(row.disabled_at),
    disabledReason: row.disabled_reason,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toDelivery(row: Selectable<WebhookDeliveriesTable> & { type: string }): WebhookDelivery {
  return {
    id: row.id,
    messageId: row.message_id,
    endpointId: row.endpoint_id,
    projectId: row.project_id,
    eventType: row.type,
    status: row.status as WebhookDeliveryStatus,
    attempts: Number(row.attempts),
    failures: Number(row.failures),
    nextAttemptAt: millisOrNull(row.next_attempt_at),
    lastStatusCode: numberOrNull(row.last_status_code),
    lastError: row.last_error,
    lastLatencyMs: numberOrNull(row.last_latency_ms),
    lastAttemptAt: millisOrNull(row.last_attempt_at),
    deliveredAt: millisOrNull(row.delivered_at),
    createdAt: Number(row.created_at),
  };
}

type CandidateRow = Pick<
  Selectable<TokensTable>,
  | 'id'
  | 'project_id'
  | 'name'
  | 'hint'
  | 'owner_type'
  | 'owner_id'
  | 'expires_at'
  | 'last_used_at'
  | 'last_rotated_at'
  | 'created_at'
>;

function toCandidate(row: CandidateRow): ReminderCandidate {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    hint: row.hint,
    ownerType: row.owner_type,
    ownerId: row.owner_id,
    expiresAt: millisOrNull(row.expires_at),
    lastUsedAt: millisOrNull(row.last_used_at),
    lastRotatedAt: millisOrNull(row.last_rotated_at),
    createdAt: Number(row.created_at),
  };
}

const CANDIDATE_COLUMNS = [
  'tokens.id',
  'tokens.project_id',
  'tokens.name',
  'tokens.hint',
  'tokens.owner_type',
  'tokens.owner_id',
  'tokens.expires_at',
  'tokens.last_used_at',
  'tokens.last_rotated_at',
  'tokens.created_at',
] as const;

export function createWebhookRepository(db: Db): WebhookRepository {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const deliveries = () =>
    db
      .selectFrom('webhook_deliveries')
      .innerJoin('webhook_messages', 'webhook_messages.id', 'webhook_deliveries.message_id')
      .selectAll('webhook_deliveries')
      .select('webhook_messages.type');

  return {
    async createEndpoint(endpoint) {
      const row = await db
        .insertInto('webhook_endpoints')
        .values({
          id: endpoint.id,
          project_id: endpoint.projectId,
          url: endpoint.url,
          description: endpoint.description,
          events: toJson(endpoint.events),
          sealed_secret: endpoint.sealedSecret,
          disabled_at: null,
          disabled_reason: null,
          created_by: endpoint.createdBy,
          created_at: endpoint.createdAt,
          updated_at: endpoint.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEndpoint(row);
    },

    async getEndpoint(projectId, id) {
      const row = await db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toEndpoint(row) : null;
    },

    async listEndpoints(projectId) {
      const rows = await db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('project_id', '=', projectId)
        .orderBy('created_at', 'asc')
        .orderBy('id', 'asc')
        .execute();
      return rows.map(toEndpoint);
    },

    async updateEndpoint(projectId, id, patch, now) {
      const row = await db
        .updateTable('webhook_endpoints')
        .set({
          ...(patch.url !== undefined && { url: patch.url }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.events !== undefined && { events: toJson(patch.events) }),
          ...(patch.sealedSecret !== undefined && { sealed_secret: patch.sealedSecret }),
          ...(patch.disabledAt !== undefined && { disabled_at: patch.disabledAt }),
          ...(patch.disabledReason !== undefined && { disabled_reason: patch.disabledReason }),
          updated_at: now,
        })
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? toEndpoint(row) : null;
    },

    async deleteEndpoint(projectId, id) {
      const result = await db
        .deleteFrom('webhook_endpoints')
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async enqueue(message, onlyEndpoint) {
      let query = db
        .selectFrom('webhook_endpoints')
        .select(['id', 'events'])
        .where('project_id', '=', message.projectId)
        .where('disabled_at', 'is', null);
      if (onlyEndpoint) query = query.where('id', '=', onlyEndpoint);
      const endpoints = await query.execute();
      const wanting = onlyEndpoint
        ? endpoints
        : endpoints.filter((e) => endpointWants(fromJson<string[]>(e.events), message.type));
      // No endpoint wants it: nothing is stored (the outbox holds deliveries, not a copy of the audit log).
      if (wanting.length === 0) return 0;
      await db
        .insertInto('webhook_messages')
        .values({
          id: message.id,
          project_id: message.projectId,
          type: message.type,
          payload: message.payload,
          created_at: message.createdAt,
        })
        .execute();
      await db
        .insertInto('webhook_deliveries')
        .values(
          wanting.map((endpoint) => ({
            id: newId('webhookDelivery', message.createdAt),
            message_id: message.id,
            endpoint_id: endpoint.id,
            project_id: message.projectId,
            status: 'pending',
            attempts: 0,
            failures: 0,
            next_attempt_at: message.createdAt,
            lease_until: null,
            leased_by: null,
            last_status_code: null,
            last_error: null,
            last_latency_ms: null,
            last_attempt_at: null,
            delivered_at: null,
            created_at: message.createdAt,
          })),
        )
        .execute();
      return wanting.length;
    },

    async claimDue(now, leaseUntil, node, limit) {
      const due = db
        .selectFrom('webhook_deliveries')
        .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_deliveries.endpoint_id')
        .select('webhook_deliveries.id')
        .where('webhook_deliveries.status', '=', 'pending')
        .where('webhook_deliveries.next_attempt_at', '<=', now)
        .where((eb) =>
          eb.or([
            eb('webhook_deliveries.lease_until', 'is', null),
            eb('webhook_deliveries.lease_until', '<', now),
          ]),
        )
        .where('webhook_endpoints.disabled_at', 'is', null)
        .orderBy('webhook_deliveries.next_attempt_at', 'asc')
        .limit(limit);
      // On PostgreSQL the subquery locks the rows it picks and skips those another node is
      // claiming; SQLite has one writer (BEGIN IMMEDIATE), so the update cannot race.
      const picked = postgres ? due.forUpdate('webhook_deliveries').skipLocked() : due;
      const claimed = await db
        .updateTable('webhook_deliveries')
        .set({ lease_until: leaseUntil, leased_by: node })
        .where('id', 'in', picked)
        // Checked again on the row as it is when the update locks it (PostgreSQL re-evaluates these).
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .returning('id')
        .execute();
      if (claimed.length === 0) return [];
      const rows = await deliveries()
        .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_deliveries.endpoint_id')
        .select([
          'webhook_endpoints.url',
          'webhook_endpoints.sealed_secret',
          'webhook_messages.payload',
          'webhook_messages.created_at as message_created_at',
        ])
        .where(
          'webhook_deliveries.id',
          'in',
          claimed.map((c) => c.id),
        )
        .where('webhook_deliveries.leased_by', '=', node)
        .execute();
      return rows.map(
        (row): ClaimedDelivery => ({
          ...toDelivery(row),
          url: row.url,
          sealedSecret: row.sealed_secret,
          payload: row.payload,
          messageCreatedAt: Number(row.message_created_at),
        }),
      );
    },

    async finishAttempt(id, node, outcome) {
      const row = await db
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          failures: outcome.delivered ? 0 : eb('failures', '+', 1),
          status: outcome.delivered ? 'delivered' : outcome.nextAttemptAt === null ? 'failed' : 'pending',
          next_attempt_at: outcome.delivered ? null : outcome.nextAttemptAt,
          lease_until: null,
          leased_by: null,
          last_status_code: outcome.statusCode,
          last_error: outcome.error,
          last_latency_ms: outcome.latencyMs,
          last_attempt_at: outcome.at,
          delivered_at: outcome.delivered ? outcome.at : null,
        }))
        .where('id', '=', id)
        .where('leased_by', '=', node)
        .returning(['attempts'])
        .executeTakeFirst();
      if (!row) return false;
      await db
        .insertInto('webhook_attempts')
        .values({
          delivery_id: id,
          attempt: Number(row.attempts),
          attempted_at: outcome.at,
          status_code: outcome.statusCode,
          error: outcome.error,
          latency_ms: outcome.latencyMs,
          node,
        })
        .execute();
      return true;
    },

    async listDeliveries(projectId, filter, limit) {
      let query = deliveries().where('webhook_deliveries.project_id', '=', projectId);
      if (filter.endpointId) query = query.where('webhook_deliveries.endpoint_id', '=', filter.endpointId);
      if (filter.status) query = query.where('webhook_deliveries.status', '=', filter.status);
      const rows = await query
        .orderBy('webhook_deliveries.created_at', 'desc')
        .orderBy('webhook_deliveries.id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toDelivery);
    },

    async getDelivery(projectId, id) {
      const row = await deliveries()
        .select('webhook_messages.payload')
        .where('webhook_deliveries.project_id', '=', projectId)
        .where('webhook_deliveries.id', '=', id)
        .executeTakeFirst();
      if (!row) return null;
      const attempts = await db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('delivery_id', '=', id)
        .orderBy('attempt', 'asc')
        .execute();
      return {
        ...toDelivery(row),
        payload: row.payload,
        attemptLog: attempts.map((a) => ({
          attempt: Number(a.attempt),
          attemptedAt: Number(a.attempted_at),
          statusCode: numberOrNull(a.status_code),
          error: a.error,
          latencyMs: Number(a.latency_ms),
          node: a.node,
        })),
      };
    },

    async redeliver(projectId, id, now) {
      const updated = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', failures: 0, next_attempt_at: now, lease_until: null, leased_by: null })
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst();
      if (!updated) return null;
      const row = await deliveries().where('webhook_deliveries.id', '=', id).executeTakeFirstOrThrow();
      return toDelivery(row);
    },

    async markReminder(tokenId, kind, threshold, now) {
      const row = await db
        .insertInto('token_reminders')
        .values({ token_id: tokenId, kind, threshold, sent_at: now })
        .onConflict((oc) => oc.columns(['token_id', 'kind', 'threshold']).doNothing())
        .returning('token_id')
        .executeTakeFirst();
      return row !== undefined;
    },

    async remindersFor(tokenIds) {
      const found: { tokenId: TokenId; kind: string; threshold: number }[] = [];
      // In slices: both databases cap the parameters of one statement.
      for (let i = 0; i < tokenIds.length; i += 500) {
        const rows = await db
          .selectFrom('token_reminders')
          .select(['token_id', 'kind', 'threshold'])
          .where('token_id', 'in', tokenIds.slice(i, i + 500))
          .execute();
        for (const r of rows)
          found.push({ tokenId: r.token_id, kind: r.kind, threshold: Number(r.threshold) });
      }
      return found;
    },

    async tokensExpiring(from, until, projectId) {
      let query = db
        .selectFrom('tokens')
        .select(CANDIDATE_COLUMNS)
        .where('tokens.revoked_at', 'is', null)
        .where('tokens.expires_at', '>', from)
        .where('tokens.expires_at', '<=', until);
      if (projectId) query = query.where('tokens.project_id', '=', projectId);
      const rows = await query.orderBy('tokens.expires_at', 'asc').execute();
      return rows.map(toCandidate);
    },

    async tokensIdleSince(projectId, before) {
      const rows = await db
        .selectFrom('tokens')
        .select(CANDIDATE_COLUMNS)
        .where('tokens.project_id', '=', projectId)
        .where('tokens.revoked_at', 'is', null)
        .where(sql<number>`coalesce(tokens.last_used_at, tokens.created_at)`, '<=', before)
        .execute();
      return rows.map(toCandidate);
    },
  };
}
