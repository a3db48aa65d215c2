import type { Command } from 'commander';
import { type Context, connect } from '../context.ts';
import { usageError } from '../exit-codes.ts';
import {
  type Column,
  type ContextOf,
  field,
  printRow,
  type Row,
  registerReadCommands,
  seg,
  send,
  since,
} from './resource.ts';
import { resolveRole } from './token-view.ts';

const COLUMNS: Column[] = [
  ['ID', field('id')],
  ['NAME', field('name')],
  ['ROLE', field('role_id')],
  ['ACTIVE', (row) => (row.active ? 'yes' : 'no')],
  ['CREATED', since('created_at')],
];

type AccountOptions = { name?: string; description?: string; role?: string; active?: boolean };

async function bodyOf(ctx: Context, options: AccountOptions): Promise<Row> {
  return {
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.role ? { role_id: (await resolveRole(connect(ctx).api, options.role)).id } : {}),
    ...(options.active !== undefined ? { active: options.active } : {}),
  };
}

export function registerServiceAccounts(program: Command, contextOf: ContextOf) {
  const accounts = program
    .command('service-accounts')
    .alias('sa')
    .description('non-human owners of tokens (CI, integrations), each with a role');

  registerReadCommands(
    accounts,
    contextOf,
    {
      path: '/v1/service-accounts',
      description: "list the project's service accounts",
      columns: COLUMNS,
      empty: 'No service accounts.',
    },
    { description: 'show one service account' },
  );

  accounts
    .command('create')
    .description('create a service account; then `keyward tokens create --service-account <id>`')
    .requiredOption('--name <name>', 'a name people will recognise')
    .requiredOption('--role <role>', 'a role name or id')
    .option('--description <text>', 'what it is for')
    .action(async (options: AccountOptions, command: Command) => {
      const ctx = contextOf(command);
      const body = await bodyOf(ctx, options);
      printRow(ctx, await send(ctx, 'POST', '/v1/service-accounts', { body }), COLUMNS);
    });

  accounts
    .command('update <id>')
    .description('rename, change role, or deactivate (its tokens stop) / reactivate')
    .option('--name <name>', 'new name')
    .option('--description <text>', 'new description')
    .option('--role <role>', 'a role name or id')
    .option('--active', 'reactivate')
    .option('--no-active', 'deactivate: its tokens are refused until reactivated')
    .action(async (id: string, options: AccountOptions, command: Command) => {
      const ctx = contextOf(command);
      const body = await bodyOf(ctx, options);
      if (Object.keys(body).length === 0) throw usageError('nothing to change; see --help');
      printRow(ctx, await send(ctx, 'PATCH', `/v1/service-accounts/${seg(id)}`, { body }), COLUMNS);
    });
}
