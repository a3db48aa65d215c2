import type { Command } from 'commander';
import { usageError } from '../exit-codes.ts';
import {
  type Column,
  type ContextOf,
  confirmOrRefuse,
  field,
  printRow,
  printRows,
  type Row,
  registerReadCommands,
  seg,
  send,
  since,
} from './resource.ts';

const COLUMNS: Column[] = [
  ['ID', field('id')],
  ['URL', field('url')],
  ['EVENTS', field('events')],
  ['ENABLED', (row) => (row.enabled ? 'yes' : `no — ${String(row.disabled_reason ?? '')}`)],
  ['CREATED', since('created_at')],
];

const DELIVERY_COLUMNS: Column[] = [
  ['ID', field('id')],
  ['EVENT', field('event_type')],
  ['STATUS', field('status')],
  ['ATTEMPTS', field('attempts')],
  ['LAST', (row) => String(row.last_status_code ?? row.last_error ?? '-')],
  ['LATENCY', (row) => (row.last_latency_ms === null ? '-' : `${row.last_latency_ms} ms`)],
  ['NEXT', since('next_attempt_at')],
  ['WEBHOOK-ID', field('message_id')],
];

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Shows an endpoint with its secret once: on a terminal as a field, for scripts in the JSON. */
function printWithSecret(ctx: Parameters<typeof printRow>[0], row: Row) {
  printRow(ctx, row, [...COLUMNS, ['SECRET', field('secret')]]);
  if (!ctx.out.json) ctx.out.note('Store the signing secret now: it is not shown again.');
}

export function registerWebhooks(program: Command, contextOf: ContextOf) {
  const webhooks = program
    .command('webhooks')
    .description('signed webhooks (Standard Webhooks): endpoints, delivery log, redelivery');

  registerReadCommands(
    webhooks,
    contextOf,
    {
      path: '/v1/webhooks',
      description: "list the project's webhook endpoints",
      columns: COLUMNS,
      empty: 'No webhook endpoints.',
    },
    { description: 'show one endpoint (a disabled one says why)' },
  );

  webhooks
    .command('create <endpoint-url>')
    .description('add an endpoint (where to POST the events, https); prints its signing secret once')
    .option('--events <list>', 'comma-separated event types, or * for all', '*')
    .option('--description <text>', 'what it is for')
    .action(
      async (endpointUrl: string, options: { events: string; description?: string }, command: Command) => {
        const ctx = contextOf(command);
        const body = {
          url: endpointUrl,
          events: list(options.events),
          ...(options.description !== undefined ? { description: options.description } : {}),
        };
        printWithSecret(ctx, await send(ctx, 'POST', '/v1/webhooks', { body }));
      },
    );

  webhooks
    .command('update <id>')
    .description('change the URL, events or description; --enable after it was disabled')
    .option('--endpoint-url <url>', 'new endpoint URL')
    .option('--events <list>', 'comma-separated event types, or *')
    .option('--description <text>', 'new description')
    .option('--enable', 'enable (again)')
    .option('--disable', 'stop sending to it')
    .action(async (id: string, options: Record<string, string | boolean | undefined>, command: Command) => {
      const ctx = contextOf(command);
      const body: Row = {
        ...(options.endpointUrl !== undefined ? { url: options.endpointUrl } : {}),
        ...(typeof options.events === 'string' ? { events: list(options.events) } : {}),
        ...(options.description !== undefined ? { description: options.description } : {}),
        ...(options.enable ? { enabled: true } : options.disable ? { enabled: false } : {}),
      };
      if (Object.keys(body).length === 0) throw usageError('nothing to change; see --help');
      printRow(ctx, await send(ctx, 'PATCH', `/v1/webhooks/${seg(id)}`, { body }), COLUMNS);
    });

  webhooks
    .command('delete <id>')
    .description('delete an endpoint and its delivery log')
    .option('--yes', 'do not ask')
    .action(async (id: string, options: { yes?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      await confirmOrRefuse(options.yes, `Delete webhook endpoint ${id}?`, 'delete a webhook endpoint');
      await send(ctx, 'DELETE', `/v1/webhooks/${seg(id)}`);
      ctx.out.note(`Deleted ${id}.`);
    });

  webhooks
    .command('rotate-secret <id>')
    .description('replace the signing secret; prints the new one once')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      printWithSecret(ctx, await send(ctx, 'POST', `/v1/webhooks/${seg(id)}/rotate-secret`));
    });

  webhooks
    .command('test <id>')
    .description('queue a webhook.test message to the endpoint')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const queued = await send<{ message_id: string }>(ctx, 'POST', `/v1/webhooks/${seg(id)}/test`);
      if (ctx.out.json) ctx.out.data(queued);
      else ctx.out.note(`Queued ${queued.message_id}.`);
    });

  webhooks
    .command('deliveries <id>')
    .description("an endpoint's delivery log, newest first")
    .option('--status <status>', 'pending, delivered or failed')
    .action(async (id: string, options: { status?: string }, command: Command) => {
      const ctx = contextOf(command);
      const page = await send<{ data: Row[] }>(ctx, 'GET', `/v1/webhooks/${seg(id)}/deliveries`, {
        query: { status: options.status },
      });
      printRows(ctx, page, DELIVERY_COLUMNS, 'No deliveries yet.');
    });

  webhooks
    .command('redeliver <delivery-id>')
    .description('send a delivery again now, with the same webhook-id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const row = await send(ctx, 'POST', `/v1/webhook-deliveries/${seg(id)}/redeliver`);
      printRow(ctx, row, DELIVERY_COLUMNS);
    });
}
