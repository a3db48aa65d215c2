import type { WebhookEndpointId } from '@keyward/core';
import { Type } from 'typebox';
import { createWebhookService } from '../../services/webhooks.ts';
import { principalOf, type Route } from '../context.ts';
import { problemResponses, security } from '../schemas.ts';
import {
  Description,
  EventList,
  presentWebhook,
  SigningSecret,
  WebhookParams,
  WebhookUrl,
  WebhookView,
} from './webhook-schemas.ts';

const tags = ['webhooks'];
const CreateBody = Type.Object(
  { url: WebhookUrl, events: EventList, description: Type.Optional(Description) },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    url: Type.Optional(WebhookUrl),
    events: Type.Optional(EventList),
    description: Type.Optional(Description),
    enabled: Type.Optional(
      Type.Boolean({ description: 'true re-enables an endpoint disabled after failures' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
const WithSecret = Type.Intersect([WebhookView, Type.Object({ secret: SigningSecret })]);

export const webhookEndpointRoutes: Route = (app, { deps, auth }) => {
  const webhooks = createWebhookService(deps);
  const idOf = (params: { webhook_id: string }) => params.webhook_id as WebhookEndpointId;

  app.post(
    '/v1/webhooks',
    {
      config: { policy: 'webhook.create' },
      schema: {
        operationId: 'createWebhook',
        tags,
        summary: 'Add a webhook endpoint; the answer holds its signing secret, shown only here',
        description:
          'Deliveries are signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature). ' +
          'Loopback and private targets are refused unless KEYWARD_WEBHOOK_ALLOW_PRIVATE_TARGETS is set.',
        security,
        body: CreateBody,
        response: { 201: WithSecret, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { endpoint, secret } = await webhooks.create(request, principalOf(request), request.body);
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ...presentWebhook(endpoint), secret });
    },
  );

  app.get(
    '/v1/webhooks',
    {
      onRequest: auth(['projects:admin']),
      schema: {
        operationId: 'listWebhooks',
        tags,
        summary: "The project's webhook endpoints (never their secrets)",
        security,
        response: { 200: Type.Object({ data: Type.Array(WebhookView) }), ...problemResponses },
      },
    },
    async (request) => {
      const endpoints = await deps.storage.webhooks.listEndpoints(principalOf(request).projectId);
      return { data: endpoints.map(presentWebhook) };
    },
  );

  app.get(
    '/v1/webhooks/:webhook_id',
    {
      onRequest: auth(['projects:admin']),
      schema: {
        operationId: 'getWebhook',
        tags,
        summary: 'One webhook endpoint; a disabled one says why',
        security,
        params: WebhookParams,
        response: { 200: WebhookView, ...problemResponses },
      },
    },
    async (request) => presentWebhook(await webhooks.load(principalOf(request), idOf(request.params))),
  );

  app.patch(
    '/v1/webhooks/:webhook_id',
    {
      config: { policy: 'webhook.update' },
      schema: {
        operationId: 'updateWebhook',
        tags,
        summary: 'Change an endpoint, or enable / disable it',
        security,
        params: WebhookParams,
        body: UpdateBody,
        response: { 200: WebhookView, ...problemResponses },
      },
    },
    async (request) =>
      presentWebhook(
        await webhooks.update(request, principalOf(request), idOf(request.params), request.body),
      ),
  );

  app.delete(
    '/v1/webhooks/:webhook_id',
    {
      config: { policy: 'webhook.delete' },
      schema: {
        operationId: 'deleteWebhook',
        tags,
        summary: 'Delete an endpoint and its delivery log',
        security,
        params: WebhookParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      await webhooks.remove(request, principalOf(request), idOf(request.params));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/webhooks/:webhook_id/rotate-secret',
    {
      config: { policy: 'webhook.rotate_secret' },
      schema: {
        operationId: 'rotateWebhookSecret',
        tags,
        summary: 'Replace the signing secret; the new one is shown only here',
        security,
        params: WebhookParams,
        response: { 200: WithSecret, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { endpoint, secret } = await webhooks.rotateSecret(
        request,
        principalOf(request),
        idOf(request.params),
      );
      reply.header('cache-control', 'no-store');
      return { ...presentWebhook(endpoint), secret };
    },
  );

  app.post(
    '/v1/webhooks/:webhook_id/test',
    {
      config: { policy: 'webhook.test' },
      schema: {
        operationId: 'testWebhook',
        tags,
        summary: 'Queue a webhook.test message to this endpoint',
        security,
        params: WebhookParams,
        response: { 202: Type.Object({ message_id: Type.String() }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const messageId = await webhooks.sendTest(principalOf(request), idOf(request.params));
      return reply.code(202).send({ message_id: messageId });
    },
  );
};
