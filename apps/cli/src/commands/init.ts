import { KeywardError } from '@keyward/core';
import type { Command } from 'commander';
import type { Context } from '../context.ts';
import { CliError, usageError } from '../exit-codes.ts';
import { stdinIsTty } from '../io.ts';
import { browserUrl } from '../serve-output.ts';
import { askEmail, askPassword, checkEmail, passwordFromStdin } from './init-prompts.ts';
import { selfCommand, selfCommandFor, serverOverrides } from './server-options.ts';

type InitOptions = {
  dataDir?: string;
  email?: string;
  passwordStdin?: boolean;
  /** false with --no-password */
  password: boolean;
  projectName: string;
};

const DEFAULT_EMAIL = 'admin@localhost';

const alreadyInitialised = (url: string) =>
  new CliError(
    'Keyward is already initialised; `keyward init` runs only once per database.\n' +
      'To use the CLI, get a token from the console:\n' +
      `  1. sign in at ${url}/ and open API Access\n` +
      '  2. generate your personal API key (shown once)\n' +
      `  3. run \`${selfCommand()} auth login --url ${url}\` and paste it`,
  );

/** Email and password: from the flags, else asked on a terminal, else the defaults with no password. */
async function administrator(options: InitOptions, interactive: boolean) {
  if (options.passwordStdin && !options.password)
    throw usageError('--password-stdin and --no-password exclude each other');
  const email = options.email
    ? checkEmail(options.email)
    : interactive
      ? await askEmail(DEFAULT_EMAIL)
      : DEFAULT_EMAIL;
  if (options.passwordStdin) return { email, password: await passwordFromStdin() };
  if (options.password && interactive) return { email, password: await askPassword() };
  return { email, password: undefined };
}

export function registerInit(program: Command, contextOf: (command: Command) => Context) {
  program
    .command('init')
    .description('create the first administrator, a default project and an admin token (once)')
    .option('--data-dir <dir>', 'data directory of the SQLite default (or set DATABASE_URL)')
    .option('--email <email>', `the administrator’s email (asked on a terminal; default ${DEFAULT_EMAIL})`)
    .option('--password-stdin', 'read the administrator’s console password from stdin')
    .option('--no-password', 'no console password (the administrator uses the admin token only)')
    .option('--project-name <name>', 'name of the first project', 'default')
    .action(async (options: InitOptions, command: Command) => {
      const ctx = contextOf(command);
      const [{ bootstrap, loadConfig, loadPepperRing }, { migrateToLatest, storageFromUrl }] =
        await Promise.all([import('@keyward/server'), import('@keyward/storage')]);
      const config = loadConfig(ctx.env.serverEnv, serverOverrides(options));
      const url = browserUrl(config.host, config.port);
      const storage = storageFromUrl(config.databaseUrl, config.dataDir);
      try {
        await migrateToLatest(storage);
        // Checked before any question, so nobody types a password for a database that refuses it.
        if ((await storage.users.count()) > 0) throw alreadyInitialised(url);
        const interactive = stdinIsTty();
        const admin = await administrator(options, interactive);
        const result = await bootstrap(
          storage,
          loadPepperRing(config),
          {
            email: admin.email,
            projectName: options.projectName,
            withToken: true,
            ...(admin.password ? { password: admin.password } : {}),
          },
          Date.now(),
        );
        const output = {
          admin_token: result.admin?.token,
          project_id: result.projectId,
          user_id: result.userId,
        };
        if (ctx.out.json) return ctx.out.data(output);
        const { bold } = ctx.out.color;
        ctx.out.line(
          `${interactive ? '\n' : ''}Keyward is initialised.\n  project: ${output.project_id}\n  admin:   ${output.user_id} (${admin.email})\n\n` +
            `Admin token (shown once, store it now):\n  ${output.admin_token}\n\nNext steps:\n` +
            `  1. start the server if it is not running: ${bold(selfCommandFor(config, 'serve'))}\n` +
            (admin.password
              ? `  2. open ${url}/ and sign in as ${admin.email}\n`
              : '  2. no console password was set: use the API and the CLI with the admin token\n') +
            `  3. log the CLI in with the admin token: ${bold(`${selfCommand()} auth login --url ${url}`)}`,
        );
      } catch (error) {
        if (error instanceof KeywardError && error.code === 'ALREADY_INITIALIZED')
          throw alreadyInitialised(url);
        throw error;
      } finally {
        await storage.close();
      }
    });
}
