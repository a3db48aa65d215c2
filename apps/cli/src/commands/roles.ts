import type { Command } from 'commander';
import { connect } from '../context.ts';
import { usageError } from '../exit-codes.ts';
import {
  type Column,
  type ContextOf,
  confirmOrRefuse,
  field,
  printRow,
  type Row,
  registerReadCommands,
  seg,
  send,
} from './resource.ts';
import { collect, resolveRole } from './token-view.ts';

const COLUMNS: Column[] = [
  ['ID', field('id')],
  ['NAME', field('name')],
  ['SCOPES', field('scopes')],
  ['BUILTIN', (row) => (row.builtin ? 'yes' : 'no')],
];

type RoleOptions = { scope?: string[]; description?: string; yes?: boolean };

function bodyOf(options: RoleOptions): Row {
  return {
    ...(options.scope ? { scopes: options.scope } : {}),
    ...(options.description !== undefined ? { description: options.description } : {}),
  };
}

export function registerRoles(program: Command, contextOf: ContextOf) {
  const roles = program.command('roles').description("the project's roles: named sets of scopes");

  registerReadCommands(roles, contextOf, {
    path: '/v1/roles',
    description: "list the project's roles",
    columns: COLUMNS,
    empty: 'No roles.',
  });

  roles
    .command('create <name>')
    .description('create a role; tokens and members given it hold its scopes')
    .requiredOption('--scope <scope>', 'a scope (resource:action); repeat for more', collect)
    .option('--description <text>', 'what the role is for')
    .action(async (name: string, options: RoleOptions, command: Command) => {
      const ctx = contextOf(command);
      printRow(ctx, await send(ctx, 'POST', '/v1/roles', { body: { name, ...bodyOf(options) } }), COLUMNS);
    });

  roles
    .command('update <role>')
    .description("change a role's scopes or description; its tokens follow on the next request")
    .option('--scope <scope>', 'the new scopes (replace the old ones); repeat for more', collect)
    .option('--description <text>', 'new description')
    .action(async (nameOrId: string, options: RoleOptions, command: Command) => {
      const ctx = contextOf(command);
      const body = bodyOf(options);
      if (Object.keys(body).length === 0)
        throw usageError('nothing to change: give --scope or --description');
      const role = await resolveRole(connect(ctx).api, nameOrId);
      printRow(ctx, await send(ctx, 'PATCH', `/v1/roles/${seg(role.id)}`, { body }), COLUMNS);
    });

  roles
    .command('delete <role>')
    .description('delete a role that no token, member or service account holds')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (nameOrId: string, options: RoleOptions, command: Command) => {
      const ctx = contextOf(command);
      const role = await resolveRole(connect(ctx).api, nameOrId);
      await confirmOrRefuse(options.yes, `Delete role ${role.name} (${role.id})?`, 'delete');
      await send(ctx, 'DELETE', `/v1/roles/${seg(role.id)}`);
      if (ctx.out.json) return ctx.out.data({ deleted: role.id });
      ctx.out.line(`Deleted role ${role.name} (${role.id}).`);
    });
}
