import type { Command } from 'commander';
import { usageError } from '../exit-codes.ts';
import { formatDuration } from '../output.ts';
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
import { durationOption } from './token-view.ts';

const lifetime =
  (name: string): Column[1] =>
  (row) => {
    const seconds = (row.settings as Record<string, number | null> | undefined)?.[name];
    return typeof seconds === 'number' ? formatDuration(seconds * 1000) : 'none';
  };

const COLUMNS: Column[] = [
  ['ID', field('id')],
  ['NAME', field('name')],
  ['PREFIX', field('token_prefix')],
  ['MAX LIFETIME', lifetime('max_token_lifetime_seconds')],
  ['DEFAULT LIFETIME', lifetime('default_token_lifetime_seconds')],
  ['CREATED', since('created_at')],
];

type ProjectOptions = { name?: string; prefix?: string; maxLifetime?: string; defaultLifetime?: string };

const lifetimeOption = (flag: string, value: string) =>
  value === 'none' ? null : durationOption(flag, value);

function bodyOf(options: ProjectOptions): Row {
  const settings = {
    ...(options.maxLifetime !== undefined
      ? { max_token_lifetime_seconds: lifetimeOption('--max-lifetime', options.maxLifetime) }
      : {}),
    ...(options.defaultLifetime !== undefined
      ? { default_token_lifetime_seconds: lifetimeOption('--default-lifetime', options.defaultLifetime) }
      : {}),
  };
  return {
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.prefix !== undefined ? { token_prefix: options.prefix } : {}),
    ...(Object.keys(settings).length ? { settings } : {}),
  };
}

const withSettings = (command: Command) =>
  command
    .option('--max-lifetime <duration>', 'longest token lifetime allowed (e.g. 90d), or none')
    .option('--default-lifetime <duration>', 'lifetime of tokens created without one (e.g. 30d), or none');

export function registerProjects(program: Command, contextOf: ContextOf) {
  const projects = program.command('projects').description('projects (tenants) you belong to');

  registerReadCommands(
    projects,
    contextOf,
    {
      path: '/v1/projects',
      description: 'list the projects you can see',
      columns: COLUMNS,
      empty: 'No projects.',
    },
    { description: 'show one project and its token lifetime policy' },
  );

  withSettings(
    projects
      .command('create')
      .description('create a project (instance administrators)')
      .requiredOption('--name <name>', 'project name')
      .option('--prefix <prefix>', 'token prefix for its tokens'),
  ).action(async (options: ProjectOptions, command: Command) => {
    const ctx = contextOf(command);
    printRow(ctx, await send(ctx, 'POST', '/v1/projects', { body: bodyOf(options) }), COLUMNS);
  });

  withSettings(
    projects
      .command('update <id>')
      .description('rename or change the token lifetime policy')
      .option('--name <name>', 'new name'),
  ).action(async (id: string, options: ProjectOptions, command: Command) => {
    const ctx = contextOf(command);
    const body = bodyOf(options);
    if (Object.keys(body).length === 0) throw usageError('nothing to change; see --help');
    printRow(ctx, await send(ctx, 'PATCH', `/v1/projects/${seg(id)}`, { body }), COLUMNS);
  });
}
