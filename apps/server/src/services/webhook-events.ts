import { newId, type ProjectId, TOKEN_PATTERN, type WebhookEventType } from '@keyward/core';
import type { Repositories } from '@keyward/storage';

export { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@keyward/core';

/** Keys whose value would be a credential, whatever it looks like: never in an event. */
const SECRET_KEYS = /^(secret|signing_secret|password|plaintext|token_raw|raw_token|authorization)$/i;
const KEYWARD_TOKEN = new RegExp(TOKEN_PATTERN);

function assertNoSecret(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (KEYWARD_TOKEN.test(value)) throw new Error(`webhook event data carries a token at ${path}`);
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) assertNoSecret(item, `${path}[${i}]`);
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (SECRET_KEYS.test(key)) throw new Error(`webhook event data has a secret-named key ${path}.${key}`);
      assertNoSecret(inner, `${path}.${key}`);
    }
  }
}

/** The exact body every endpoint receives: Standard Webhooks' `{type, timestamp, data}`. */
export function eventPayload(type: string, projectId: ProjectId, data: Record<string, unknown>, at: number) {
  return JSON.stringify({
    type,
    timestamp: new Date(at).toISOString(),
    data: { project_id: projectId, ...data },
  });
}

/**
 * The outbox write. Call it with the transaction's repositories (`storage.transaction(tx => …)`)
 * of the change the event describes: the event is stored, with one pending delivery per enabled
 * endpoint of the project that wants `type`, only if the change commits. Delivery happens later,
 * on whichever node claims it. `data` must hold no secret (ids, names, hints, times); a token or
 * a secret-named key in it throws. Pass `at` from `deps.now()` so a controlled clock applies.
 * Returns how many deliveries were queued.
 */
export async function recordEvent(
  trx: Pick<Repositories, 'webhooks'>,
  projectId: ProjectId,
  type: WebhookEventType,
  data: Record<string, unknown>,
  at: number = Date.now(),
): Promise<number> {
  assertNoSecret(data, 'data');
  return trx.webhooks.enqueue({
    id: newId('webhookMessage', at),
    projectId,
    type,
    payload: eventPayload(type, projectId, data, at),
    createdAt: at,
  });
}

/** What a token event says about its token: never its secret, only its public hint. */
export function tokenEventData(token: {
  id: string;
  name: string;
  hint: string;
  ownerType: string;
  ownerId: string;
  expiresAt: number | null;
}): Record<string, unknown> {
  return {
    token: {
      id: token.id,
      name: token.name,
      hint: token.hint,
      owner_type: token.ownerType,
      owner_id: token.ownerId,
      expires_at: token.expiresAt === null ? null : new Date(token.expiresAt).toISOString(),
    },
  };
}
