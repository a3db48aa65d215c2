import type { Command } from 'commander';
import { connect } from '../context.ts';
import { registerInvitations } from './members-invite.ts';
import {
  type Column,
  type ContextOf,
  confirmOrRefuse,
  field,
  printRow,
  registerReadCommands,
  seg,
  send,
  since,
} from './resource.ts';
import { resolveRole } from './token-view.ts';

const COLUMNS: Column[] = [
  ['USER', field('user_id')],
  ['EMAIL', field('email')],
  ['NAME', field('name')],
  ['ROLE', field('role')],
  ['ACTIVE', (row) => (row.active ? 'yes' : 'no')],
  ['JOINED', since('created_at')],
];

export function registerMembers(program: Command, contextOf: ContextOf) {
  const members = program.command('members').description("the project's members and their roles");

  registerReadCommands(members, contextOf, {
    path: '/v1/members',
    description: "list the project's members",
    columns: COLUMNS,
    empty: 'No members.',
  });

  registerInvitations(members, contextOf);

  members
    .command('set-role <user-id>')
    .alias('update')
    .description("change a member's role; their tokens follow on the next request")
    .requiredOption('--role <role>', 'a role name or id')
    .action(async (userId: string, options: { role: string }, command: Command) => {
      const ctx = contextOf(command);
      const role = await resolveRole(connect(ctx).api, options.role);
      const body = { role_id: role.id };
      printRow(ctx, await send(ctx, 'PATCH', `/v1/members/${seg(userId)}`, { body }), COLUMNS);
    });

  members
    .command('remove <user-id>')
    .description('remove a member; their tokens in this project stop working at once')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (userId: string, options: { yes?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      await confirmOrRefuse(
        options.yes,
        `Remove ${userId} from the project? Their tokens here stop at once.`,
        'remove',
      );
      await send(ctx, 'DELETE', `/v1/members/${seg(userId)}`);
      if (ctx.out.json) return ctx.out.data({ removed: userId });
      ctx.out.line(`Removed ${userId}.`);
    });
}
