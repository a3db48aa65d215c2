import type { TokenView } from '@keyward/sdk';
import { type Command, Option } from 'commander';
import { type ContextOf, confirmOrRefuse, seg, send } from './resource.ts';
import { timestampOption } from './token-view.ts';

type Series = { outcome: string; total: number; points: { start: string; count: number }[] };
type Usage = { token_id: string; granularity: 'hour' | 'day'; from: string; to: string; series: Series[] };

/** One row per time bucket, one column per outcome: what `tokens usage` prints for people. */
function usageRows(usage: Usage): { headers: string[]; rows: string[][] } {
  const outcomes = usage.series.map((s) => s.outcome);
  const byStart = new Map<string, Map<string, number>>();
  for (const s of usage.series) {
    for (const p of s.points) {
      const row = byStart.get(p.start) ?? new Map<string, number>();
      row.set(s.outcome, p.count);
      byStart.set(p.start, row);
    }
  }
  const rows = [...byStart.keys()].sort().map((start) => {
    const counts = byStart.get(start) as Map<string, number>;
    return [start, ...outcomes.map((o) => String(counts.get(o) ?? 0))];
  });
  return { headers: ['START', ...outcomes], rows };
}

export function registerTokenStateCommands(tokens: Command, contextOf: ContextOf) {
  for (const [action, summary] of [
    ['disable', 'pause a token (reversible): it is refused until enabled again'],
    ['enable', 'resume a disabled token'],
  ] as const) {
    tokens
      .command(`${action} <token-id>`)
      .description(summary)
      .action(async (id: string, _options: unknown, command: Command) => {
        const ctx = contextOf(command);
        const token = await send<TokenView>(ctx, 'POST', `/v1/tokens/${seg(id)}/${action}`, { body: {} });
        if (ctx.out.json) return ctx.out.data(token);
        ctx.out.line(
          `${action === 'disable' ? 'Disabled' : 'Enabled'} ${token.id} "${token.name}" (${token.status}).`,
        );
      });
  }

  tokens
    .command('bulk-revoke')
    .description('revoke every live token of an owner, or of the whole project (incident response)')
    .option('--owner <id>', 'only this owner (usr_… or sa_…); default: every token of the project')
    .option('--reason <text>', 'why (kept in each token record and the audit log)')
    .option('--dry-run', 'list what would be revoked, change nothing')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      async (
        options: { owner?: string; reason?: string; dryRun?: boolean; yes?: boolean },
        command: Command,
      ) => {
        const ctx = contextOf(command);
        const body = {
          ...(options.owner ? { owner_id: options.owner } : {}),
          ...(options.reason ? { reason: options.reason } : {}),
          dry_run: options.dryRun === true,
        };
        if (!options.dryRun) {
          const whose = options.owner
            ? `every live token of ${options.owner}`
            : 'EVERY live token of the project';
          await confirmOrRefuse(options.yes, `Revoke ${whose}?`, 'bulk-revoke');
        }
        const result = await send<{ dry_run: boolean; revoked: string[]; count: number }>(
          ctx,
          'POST',
          '/v1/tokens/bulk-revoke',
          { body },
        );
        if (ctx.out.json) return ctx.out.data(result);
        for (const id of result.revoked) ctx.out.line(id);
        ctx.out.note(`${result.dry_run ? 'Would revoke' : 'Revoked'} ${result.count} token(s).`);
      },
    );

  tokens
    .command('usage <token-id>')
    .description('requests of a token per hour (last 24 h) or day (last 30 d), by outcome')
    .addOption(new Option('--granularity <unit>', 'bucket size').choices(['hour', 'day']).default('hour'))
    .option('--from <time>', 'start (ISO 8601)')
    .option('--to <time>', 'end (ISO 8601)')
    .action(
      async (id: string, options: { granularity: string; from?: string; to?: string }, command: Command) => {
        const ctx = contextOf(command);
        const query = {
          granularity: options.granularity,
          ...(options.from ? { from: timestampOption('--from', options.from) } : {}),
          ...(options.to ? { to: timestampOption('--to', options.to) } : {}),
        };
        const usage = await send<Usage>(ctx, 'GET', `/v1/tokens/${seg(id)}/usage`, { query });
        if (ctx.out.json) return ctx.out.data(usage);
        const { headers, rows } = usageRows(usage);
        if (rows.length === 0) return ctx.out.note(`No requests between ${usage.from} and ${usage.to}.`);
        ctx.out.table(headers, rows);
        ctx.out.note(usage.series.map((s) => `${s.outcome}: ${s.total}`).join(', '));
      },
    );
}
