import { KeywardError, type WebhookDeliveryId, type WebhookEndpointId } from '@keyward/core';
import { Type } from 'typebox';
import { createWebhookService } from '../../services/webhooks.ts';
import { principalOf, type Route } from '../context.ts';
import { problemResponses, security } from '../schemas.ts';
import {
  AttemptView,
  DeliveryParams,
  DeliveryView,
  presentAttempt,
  presentDelivery,
  WebhookParams,
} from './webhook-schemas.ts';

const tags = ['webhooks'];
const ListQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
const DeliveryDetail = Type.Intersect([
  DeliveryView,
  Type.Object({
    payload: Type.Unknown({ description: 'The signed body, as sent' }),
    attempt_log: Type.Array(AttemptView),
  }),
]);

export const webhookDeliveryRoutes: Route = (app, { deps, auth }) => {
  const webhooks = createWebhookService(deps);

  app.get(
    '/v1/webhooks/:webhook_id/deliveries',
    {
      onRequest: auth(['projects:admin']),
      schema: {
        operationId: 'listWebhookDeliveries',
        tags,
        summary: "An endpoint's delivery log, newest first: status, attempts, latency",
        security,
        params: WebhookParams,
        querystring: ListQuery,
        response: { 200: Type.Object({ data: Type.Array(DeliveryView) }), ...problemResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const endpoint = await webhooks.load(p, request.params.webhook_id as WebhookEndpointId);
      const deliveries = await deps.storage.webhooks.listDeliveries(
        p.projectId,
        { endpointId: endpoint.id, ...(request.query.status ? { status: request.query.status } : {}) },
        request.query.limit ?? 50,
      );
      return { data: deliveries.map(presentDelivery) };
    },
  );

  app.get(
    '/v1/webhook-deliveries/:delivery_id',
    {
      onRequest: auth(['projects:admin']),
      schema: {
        operationId: 'getWebhookDelivery',
        tags,
        summary: 'One delivery with its payload and every attempt',
        security,
        params: DeliveryParams,
        response: { 200: DeliveryDetail, ...problemResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const delivery = await deps.storage.webhooks.getDelivery(
        p.projectId,
        request.params.delivery_id as WebhookDeliveryId,
      );
      if (!delivery) throw new KeywardError('NOT_FOUND', 'No such webhook delivery');
      return {
        ...presentDelivery(delivery),
        payload: JSON.parse(delivery.payload) as unknown,
        attempt_log: delivery.attemptLog.map(presentAttempt),
      };
    },
  );

  app.post(
    '/v1/webhook-deliveries/:delivery_id/redeliver',
    {
      config: { policy: 'webhook.redeliver' },
      schema: {
        operationId: 'redeliverWebhook',
        tags,
        summary: 'Send a delivery again now, with the same webhook-id',
        security,
        params: DeliveryParams,
        response: { 202: DeliveryView, ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = request.params.delivery_id as WebhookDeliveryId;
      const delivery = await webhooks.redeliver(request, principalOf(request), id);
      return reply.code(202).send(presentDelivery(delivery));
    },
  );
};
