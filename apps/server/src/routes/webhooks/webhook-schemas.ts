import { idPattern, WEBHOOK_EVENT_TYPES } from '@keyward/core';
import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '@keyward/storage';
import { Type } from 'typebox';
import { MAX_WEBHOOK_URL_LENGTH } from '../../services/webhook-targets.ts';
import { iso, isoOrNull } from '../present.ts';
import { Description, Nullable, NullableTimestamp, Timestamp } from '../schemas.ts';

export const WebhookIdSchema = Type.String({ pattern: idPattern('webhookEndpoint'), description: 'whe_…' });
export const DeliveryIdSchema = Type.String({ pattern: idPattern('webhookDelivery'), description: 'whd_…' });
export const WebhookUrl = Type.String({ minLength: 8, maxLength: MAX_WEBHOOK_URL_LENGTH });
export const EventList = Type.Array(
  Type.Union([...WEBHOOK_EVENT_TYPES, '*'].map((type) => Type.Literal(type))),
  { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length + 1, uniqueItems: true },
);
export { Description };

export const WebhookParams = Type.Object({ webhook_id: WebhookIdSchema });
export const DeliveryParams = Type.Object({ delivery_id: DeliveryIdSchema });

export const SigningSecret = Type.String({
  description: 'Standard Webhooks signing secret (whsec_…); shown only in this answer',
});

export const WebhookView = Type.Object({
  id: WebhookIdSchema,
  project_id: Type.String(),
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  disabled_at: NullableTimestamp,
  disabled_reason: Nullable(Type.String()),
  created_by: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export function presentWebhook(e: WebhookEndpoint) {
  return {
    id: e.id,
    project_id: e.projectId,
    url: e.url,
    description: e.description,
    events: e.events,
    enabled: e.disabledAt === null,
    disabled_at: isoOrNull(e.disabledAt),
    disabled_reason: e.disabledReason,
    created_by: e.createdBy,
    created_at: iso(e.createdAt),
    updated_at: iso(e.updatedAt),
  };
}

export const DeliveryView = Type.Object({
  id: DeliveryIdSchema,
  webhook_id: Type.String({ description: 'The endpoint' }),
  message_id: Type.String({ description: 'The webhook-id header: the same on every attempt and redelivery' }),
  event_type: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  next_attempt_at: NullableTimestamp,
  last_status_code: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  last_latency_ms: Nullable(Type.Integer()),
  last_attempt_at: NullableTimestamp,
  delivered_at: NullableTimestamp,
  created_at: Timestamp,
});

export function presentDelivery(d: WebhookDelivery) {
  return {
    id: d.id,
    webhook_id: d.endpointId,
    message_id: d.messageId,
    event_type: d.eventType,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: isoOrNull(d.nextAttemptAt),
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    last_latency_ms: d.lastLatencyMs,
    last_attempt_at: isoOrNull(d.lastAttemptAt),
    delivered_at: isoOrNull(d.deliveredAt),
    created_at: iso(d.createdAt),
  };
}

export const AttemptView = Type.Object({
  attempt: Type.Integer(),
  attempted_at: Timestamp,
  status_code: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  latency_ms: Type.Integer(),
});

export function presentAttempt(a: WebhookAttempt) {
  return {
    attempt: a.attempt,
    attempted_at: iso(a.attemptedAt),
    status_code: a.statusCode,
    error: a.error,
    latency_ms: a.latencyMs,
  };
}
