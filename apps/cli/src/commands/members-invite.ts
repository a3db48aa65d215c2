import type { Command } from 'commander';
import { connect } from '../context.ts';
import {
  type Column,
  type ContextOf,
  confirmOrRefuse,
  field,
  printRows,
  seg,
  send,
  since,
} from './resource.ts';
import { durationOption, resolveRole } from './token-view.ts';

type Invitation = { id: string; email: string; role: string; expires_at: string; code: string };

const COLUMNS: Column[] = [
  ['ID', field('id')],
  ['EMAIL', field('email')],
  ['ROLE', field('role')],
  ['INVITED', since('created_at')],
  ['EXPIRES', since('expires_at')],
];

/** The console page that redeems a code; the code rides in the fragment, which no server sees. */
export const invitationLink = (url: string, code: string) => `${url.replace(/\/+$/, '')}/invite#${code}`;

/** `members invite`, `members invitations`, `members revoke-invitation`. */
export function registerInvitations(members: Command, contextOf: ContextOf) {
  members
    .command('invite <email>')
    .description('invite someone with a role; prints a one-time link (shown once) to hand over privately')
    .requiredOption('--role <role>', 'a role name or id')
    .option('--expires-in <duration>', 'how long the code works (e.g. 48h; default 7d, at most 30d)')
    .action(async (email: string, options: { role: string; expiresIn?: string }, command: Command) => {
      const ctx = contextOf(command);
      const { api, target } = connect(ctx);
      const role = await resolveRole(api, options.role);
      const body = {
        email,
        role_id: role.id,
        ...(options.expiresIn
          ? { expires_in_seconds: durationOption('--expires-in', options.expiresIn) }
          : {}),
      };
      const invitation = await send<Invitation>(ctx, 'POST', '/v1/invitations', { body });
      const link = invitationLink(target.url, invitation.code);
      if (ctx.out.json) return ctx.out.data({ ...invitation, link });
      ctx.out.note(
        `Invited ${invitation.email} as ${invitation.role} (${invitation.id}), until ${invitation.expires_at}. ` +
          'The link works once and is shown only now; give it to them privately:',
      );
      ctx.out.line(link);
    });

  members
    .command('invitations')
    .description('list pending invitations (not redeemed, revoked or expired)')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const page = await send<{ data: Invitation[] }>(ctx, 'GET', '/v1/invitations');
      printRows(ctx, page, COLUMNS, 'No pending invitations.');
    });

  members
    .command('revoke-invitation <invitation-id>')
    .description('revoke a pending invitation: its code stops working')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (id: string, options: { yes?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      await confirmOrRefuse(options.yes, `Revoke invitation ${id}?`, 'revoke');
      await send(ctx, 'DELETE', `/v1/invitations/${seg(id)}`);
      if (ctx.out.json) return ctx.out.data({ revoked: id });
      ctx.out.line(`Revoked ${id}.`);
    });
}
