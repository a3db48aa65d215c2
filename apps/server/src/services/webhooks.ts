import {
  generateWebhookSecret,
  KeywardError,
  newId,
  sealWebhookSecret,
  type WebhookDeliveryId,
  type WebhookEndpointId,
} from '@keyward/core';
import type { WebhookEndpoint } from '@keyward/storage';
import type { FastifyRequest } from 'fastify';
import type { Deps, Principal } from '../types.ts';
import { diff } from './audit-log.ts';
import { eventPayload } from './webhook-events.ts';
import { checkWebhookTarget, checkWebhookUrl } from './webhook-targets.ts';

export type EndpointInput = { url: string; events: string[]; description?: string };

/** Endpoint management: create (secret shown once), change, enable, rotate the secret, delete, test. */
export function createWebhookService(deps: Deps) {
  const { storage, now, audit } = deps;

  async function checkedUrl(text: string): Promise<string> {
    const url = checkWebhookUrl(text);
    await checkWebhookTarget(url, deps.config.webhookAllowPrivateTargets);
    return url.toString();
  }

  async function load(principal: Principal, id: WebhookEndpointId): Promise<WebhookEndpoint> {
    const endpoint = await storage.webhooks.getEndpoint(principal.projectId, id);
    if (!endpoint) throw new KeywardError('NOT_FOUND', 'No such webhook endpoint');
    return endpoint;
  }

  const auditView = (e: WebhookEndpoint) => ({
    url: e.url,
    events: e.events,
    description: e.description,
    disabled_at: e.disabledAt,
  });

  async function create(request: FastifyRequest, principal: Principal, input: EndpointInput) {
    const url = await checkedUrl(input.url);
    const secret = generateWebhookSecret();
    const at = now();
    const endpoint = await storage.transaction(async (tx) => {
      const created = await tx.webhooks.createEndpoint({
        id: newId('webhookEndpoint', at),
        projectId: principal.projectId,
        url,
        description: input.description ?? '',
        events: input.events,
        sealedSecret: sealWebhookSecret(secret, deps.peppers.current),
        createdBy: principal.ownerId,
        createdAt: at,
      });
      await audit.record(
        request,
        {
          action: 'webhook.created',
          projectId: principal.projectId,
          targetType: 'webhook_endpoint',
          targetId: created.id,
          changes: { url: { after: url }, events: { after: input.events } },
        },
        tx,
      );
      return created;
    });
    return { endpoint, secret };
  }

  async function update(
    request: FastifyRequest,
    principal: Principal,
    id: WebhookEndpointId,
    input: Partial<EndpointInput> & { enabled?: boolean },
  ) {
    const before = await load(principal, id);
    const url = input.url !== undefined ? await checkedUrl(input.url) : undefined;
    const at = now();
    const after = await storage.webhooks.updateEndpoint(
      principal.projectId,
      id,
      {
        ...(url !== undefined && { url }),
        ...(input.events !== undefined && { events: input.events }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.enabled === true && { disabledAt: null, disabledReason: null }),
        ...(input.enabled === false &&
          before.disabledAt === null && { disabledAt: at, disabledReason: 'Disabled by a project admin' }),
      },
      at,
    );
    if (!after) throw new KeywardError('NOT_FOUND', 'No such webhook endpoint');
    await audit.record(request, {
      action: 'webhook.updated',
      projectId: principal.projectId,
      targetType: 'webhook_endpoint',
      targetId: id,
      changes: diff(auditView(before), auditView(after)),
    });
    return after;
  }

  async function rotateSecret(request: FastifyRequest, principal: Principal, id: WebhookEndpointId) {
    await load(principal, id);
    const secret = generateWebhookSecret();
    const endpoint = await storage.webhooks.updateEndpoint(
      principal.projectId,
      id,
      { sealedSecret: sealWebhookSecret(secret, deps.peppers.current) },
      now(),
    );
    if (!endpoint) throw new KeywardError('NOT_FOUND', 'No such webhook endpoint');
    await audit.record(request, {
      action: 'webhook.secret_rotated',
      projectId: principal.projectId,
      targetType: 'webhook_endpoint',
      targetId: id,
    });
    return { endpoint, secret };
  }

  async function remove(request: FastifyRequest, principal: Principal, id: WebhookEndpointId) {
    const endpoint = await load(principal, id);
    await storage.transaction(async (tx) => {
      await tx.webhooks.deleteEndpoint(principal.projectId, id);
      await audit.record(
        request,
        {
          action: 'webhook.deleted',
          projectId: principal.projectId,
          targetType: 'webhook_endpoint',
          targetId: id,
          changes: { url: { before: endpoint.url } },
        },
        tx,
      );
    });
  }

  /** Queues a `webhook.test` message to this endpoint alone. */
  async function sendTest(principal: Principal, id: WebhookEndpointId) {
    const endpoint = await load(principal, id);
    const at = now();
    const message = {
      id: newId('webhookMessage', at),
      projectId: principal.projectId,
      type: 'webhook.test',
      payload: eventPayload('webhook.test', principal.projectId, { endpoint_id: endpoint.id }, at),
      createdAt: at,
    };
    await storage.webhooks.enqueue(message, endpoint.id);
    return message.id;
  }

  async function redeliver(request: FastifyRequest, principal: Principal, id: WebhookDeliveryId) {
    const delivery = await storage.webhooks.redeliver(principal.projectId, id, now());
    if (!delivery) throw new KeywardError('NOT_FOUND', 'No such webhook delivery');
    await audit.record(request, {
      action: 'webhook.redelivered',
      projectId: principal.projectId,
      targetType: 'webhook_delivery',
      targetId: id,
    });
    return delivery;
  }

  return { load, create, update, rotateSecret, remove, sendTest, redeliver };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
