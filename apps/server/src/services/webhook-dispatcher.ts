import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  type AuditKeys,
  isDelivered,
  isPrivateAddress,
  newIdBody,
  nextWebhookAttemptAt,
  openWebhookSecret,
  type PepperRing,
  webhookHeaders,
} from '@keyward/core';
import type { ClaimedDelivery, Storage } from '@keyward/storage';
import type { Logger } from 'pino';
import { guardedLookup } from './webhook-targets.ts';

export type DispatcherOptions = {
  storage: Storage;
  peppers: PepperRing;
  auditKeys: AuditKeys;
  now: () => number;
  logger: Logger;
  allowPrivateTargets: boolean;
  timeoutMs: number;
  leaseMs: number;
  intervalMs: number;
  /** Deliveries claimed per round (and sent at once). */
  batchSize?: number;
};

type Answer = { statusCode: number | null; error: string | null };

/** A receiver's answer body is read up to this much and dropped: only the status matters. */
const MAX_ANSWER_BYTES = 64 * 1024;

function post(url: string, body: string, headers: Record<string, string>, options: DispatcherOptions) {
  const target = new URL(url);
  // Node connects to an address literal without a lookup: check it here (the setting may have changed).
  const literal = target.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!options.allowPrivateTargets && isIP(literal) && isPrivateAddress(literal))
    return Promise.resolve<Answer>({ statusCode: null, error: 'EPRIVATETARGET' });
  return new Promise<Answer>((resolve) => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        lookup: guardedLookup(options.allowPrivateTargets) as never,
        timeout: options.timeoutMs,
      },
      (res) => {
        let seen = 0;
        res.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > MAX_ANSWER_BYTES) res.destroy();
        });
        res.on('close', () => resolve({ statusCode: res.statusCode ?? null, error: null }));
        res.on('error', () => {});
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ statusCode: null, error: error.code ?? error.message.slice(0, 200) }),
    );
    req.end(body);
  });
}

/**
 * Sends due webhook deliveries. Every node runs one; each delivery is leased to one node at a
 * time, so a healthy receiver gets each event once, and a delivery whose node died is sent again
 * once the lease runs out (at least once). Retries back off exponentially for about a day; then
 * the delivery fails and its endpoint is disabled with the reason (the notice) and an audit event.
 */
export function createWebhookDispatcher(options: DispatcherOptions) {
  const { storage, now, logger } = options;
  const node = `${hostname()}:${process.pid}:${newIdBody().slice(-8)}`;
  const batchSize = options.batchSize ?? 20;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;

  async function disableEndpoint(delivery: ClaimedDelivery, at: number): Promise<void> {
    const reason = `Disabled after ${delivery.failures + 1} failed attempts (last: ${
      delivery.lastStatusCode ?? delivery.lastError ?? 'no answer'
    })`;
    await storage.transaction(async (tx) => {
      const endpoint = await tx.webhooks.getEndpoint(delivery.projectId, delivery.endpointId);
      if (!endpoint || endpoint.disabledAt !== null) return;
      await tx.webhooks.updateEndpoint(
        delivery.projectId,
        delivery.endpointId,
        { disabledAt: at, disabledReason: reason },
        at,
      );
      await tx.audit.append(
        {
          actorType: 'system',
          actorId: null,
          viaTokenId: null,
          projectId: delivery.projectId,
          action: 'webhook.endpoint_disabled',
          targetType: 'webhook_endpoint',
          targetId: delivery.endpointId,
          ip: null,
          userAgent: null,
          changes: { disabled_reason: { after: reason } },
        },
        at,
        options.auditKeys,
      );
    });
    logger.warn(
      { endpointId: delivery.endpointId, projectId: delivery.projectId },
      'webhook endpoint disabled',
    );
  }

  async function deliver(delivery: ClaimedDelivery): Promise<void> {
    const sentAt = now();
    let answer: Answer;
    const started = performance.now();
    try {
      const secret = openWebhookSecret(delivery.sealedSecret, options.peppers);
      const headers = webhookHeaders(secret, delivery.messageId, Math.floor(sentAt / 1000), delivery.payload);
      answer = await post(
        delivery.url,
        delivery.payload,
        { ...headers, 'user-agent': 'Keyward-Webhooks/1' },
        options,
      );
    } catch (error) {
      answer = { statusCode: null, error: (error as Error).message.slice(0, 200) };
    }
    const latencyMs = Math.round(performance.now() - started);
    const delivered = isDelivered(answer.statusCode);
    const at = now();
    const nextAttemptAt = delivered ? null : nextWebhookAttemptAt(delivery.failures + 1, at);
    const kept = await storage.webhooks.finishAttempt(delivery.id, node, {
      at,
      statusCode: answer.statusCode,
      error: delivered ? null : (answer.error ?? `HTTP ${answer.statusCode}`),
      latencyMs,
      delivered,
      nextAttemptAt,
    });
    if (!kept) logger.warn({ deliveryId: delivery.id }, 'webhook lease lost before the attempt was recorded');
    if (kept && !delivered && nextAttemptAt === null)
      await disableEndpoint({ ...delivery, lastStatusCode: answer.statusCode, lastError: answer.error }, at);
  }

  /** One round: claims what is due and sends it; returns how many were attempted. */
  async function round(): Promise<number> {
    const at = now();
    const claimed = await storage.webhooks.claimDue(at, at + options.leaseMs, node, batchSize);
    await Promise.all(
      claimed.map((d) =>
        deliver(d).catch((error) =>
          logger.error({ err: error, deliveryId: d.id }, 'webhook delivery failed'),
        ),
      ),
    );
    return claimed.length;
  }

  /** Sends everything due now (rounds until none is left); one run at a time per node. */
  function dispatchDue(): Promise<number> {
    running ??= (async () => {
      let total = 0;
      try {
        for (let n = await round(); n > 0; n = await round()) total += n;
      } finally {
        running = null;
      }
      return total;
    })();
    return running;
  }

  return {
    node,
    dispatchDue,
    start(): void {
      if (timer) return;
      timer = setInterval(() => {
        dispatchDue().catch((error) => logger.error({ err: error }, 'webhook dispatch failed'));
      }, options.intervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => {});
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
