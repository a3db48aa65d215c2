import { readFileSync } from 'node:fs';
import type { AuditCheckpoint, AuditEvent, ListAuditQuery } from '@keyward/sdk';
import type { Command } from 'commander';
import { type Context, connect } from '../context.ts';
import { CliError, EXIT, usageError } from '../exit-codes.ts';
import { timestampOption } from './token-view.ts';

type ListOptions = {
  actor?: string;
  action?: string;
  target?: string;
  from?: string;
  to?: string;
  limit: string;
  cursor?: string;
  all?: boolean;
};

const actorOf = (e: AuditEvent) =>
  `${e.actor.type}${e.actor.id ? ` ${e.actor.id}` : ''}${e.actor.via_token_id ? ` via ${e.actor.via_token_id}` : ''}`;

export function registerAudit(program: Command, contextOf: (command: Command) => Context) {
  const audit = program.command('audit').description("read and check the project's audit log");

  audit
    .command('list')
    .description('audit events, newest first')
    .option('--actor <id>', 'only events by this actor')
    .option('--action <action>', 'only this action, e.g. token.revoked')
    .option('--target <id>', 'only events about this target')
    .option('--from <time>', 'events at or after this ISO 8601 time')
    .option('--to <time>', 'events before this ISO 8601 time')
    .option('--limit <n>', 'page size (1-200)', '50')
    .option('--cursor <cursor>', 'continue after a previous page')
    .option('--all', 'follow every page')
    .action(async (options: ListOptions, command: Command) => {
      const ctx = contextOf(command);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw usageError('--limit must be 1-200');
      const query: ListAuditQuery = { limit, format: 'json' };
      if (options.actor) query.actor_id = options.actor;
      if (options.action) query.action = options.action;
      if (options.target) query.target_id = options.target;
      if (options.from) query.from = timestampOption('--from', options.from);
      if (options.to) query.to = timestampOption('--to', options.to);
      const { api } = connect(ctx);
      const data: AuditEvent[] = [];
      let next: string | null = options.cursor ?? null;
      do {
        const page = await api.listAudit(next ? { ...query, cursor: next } : query);
        if (typeof page === 'string')
          throw new CliError('the server answered the audit log as text, not JSON');
        data.push(...page.data);
        next = page.next_cursor;
      } while (options.all && next);
      const { out } = ctx;
      if (out.json) return out.data({ data, next_cursor: next });
      if (data.length === 0) out.note('No audit events match.');
      else {
        out.table(
          ['SEQ', 'TIME', 'ACTION', 'ACTOR', 'TARGET', 'IP'],
          data.map((e) => [
            String(e.seq),
            e.occurred_at,
            e.action,
            actorOf(e),
            e.target.id ? `${e.target.type ?? ''} ${e.target.id}`.trim() : '-',
            e.ip ?? '-',
          ]),
        );
      }
      if (next) out.note(`More events follow: --cursor ${next} (or --all)`);
    });

  audit
    .command('checkpoint')
    .description(
      'print a signed checkpoint of the chain head; keep it and pass it to `audit verify --checkpoint` later',
    )
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      ctx.out.data(await connect(ctx).api.createAuditCheckpoint());
    });

  audit
    .command('verify')
    .description(
      'recompute the MAC chain; exit 1 if an event was altered or removed, or the chain no longer reaches a checkpoint (needs keyward:admin)',
    )
    .option('--checkpoint <file>', 'a checkpoint printed by `audit checkpoint` (JSON)')
    .action(async (options: { checkpoint?: string }, command: Command) => {
      const ctx = contextOf(command);
      const checkpoint = options.checkpoint ? readCheckpoint(options.checkpoint) : undefined;
      const result = await connect(ctx).api.verifyAudit(checkpoint);
      if (!result.ok) process.exitCode = EXIT.failure;
      const { out } = ctx;
      if (out.json) return out.data(result);
      if (result.ok)
        out.line(
          `${out.color.green('✓')} audit chain intact (${result.events} events, ${result.checkpoints_checked} checkpoints)`,
        );
      else
        out.line(
          `${out.color.red('✗')} audit chain broken at event #${result.broken_at_seq}: ${result.reason} (${result.events} events)`,
        );
    });
}

function readCheckpoint(file: string): AuditCheckpoint {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as AuditCheckpoint;
  } catch (error) {
    throw usageError(`--checkpoint: ${file} is not a readable JSON checkpoint (${(error as Error).message})`);
  }
}
