import type { Command } from 'commander';
import { type Context, connect } from '../context.ts';
import { usageError } from '../exit-codes.ts';

export function registerErrors(program: Command, contextOf: (command: Command) => Context) {
  const errors = program.command('errors').description('look up the error ids Keyward answered with');
  errors
    .command('show <error-id>')
    .description('what failed and why (your own errors, or any in the project with errors:read)')
    .action(async (id: string, _options: unknown, command: Command) => {
      if (!/^err_[A-Za-z0-9]+$/.test(id)) throw usageError(`not an error id: "${id}" (expected err_…)`);
      const ctx = contextOf(command);
      const record = await connect(ctx).api.getError(id);
      const { out } = ctx;
      if (out.json) return out.data(record);
      const pairs: [string, string][] = [
        ['error id', record.error_id],
        ['time', record.created_at],
        ['status', `${record.status} ${record.code}`],
        ['title', record.title],
        ['detail', record.detail],
        ['request', `${record.method} ${record.path} (request id ${record.request_id})`],
        ['token', record.token_id ?? '-'],
        ['project', record.project_id ?? '-'],
      ];
      if (record.count > 1) pairs.push(['occurrences', `${record.count} (last ${record.last_seen_at})`]);
      for (const [key, value] of Object.entries(record.context)) {
        pairs.push([key.replaceAll('_', ' '), typeof value === 'string' ? value : JSON.stringify(value)]);
      }
      out.fields(pairs);
    });
}
