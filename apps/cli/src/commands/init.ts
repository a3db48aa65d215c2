import { KeywardError } from '@keyward/core';
import type { Command } from 'commander';
import type { Context } from '../context.ts';
import { CliError } from '../exit-codes.ts';
import { readStdin } from '../io.ts';
import { serverOverrides } from './server-options.ts';

type InitOptions = {
  dataDir?: string;
  email: string;
  passwordStdin?: boolean;
  projectName: string;
};

export function registerInit(program: Command, contextOf: (command: Command) => Context) {
  program
    .command('init')
    .description('create the first administrator, a default project and an admin token (once)')
    .option('--data-dir <dir>', 'data directory of the SQLite default (or set DATABASE_URL)')
    .option('--email <email>', 'the administrator’s email', 'admin@localhost')
    .option('--password-stdin', 'read a console password for the administrator from stdin')
    .option('--project-name <name>', 'name of the first project', 'default')
    .action(async (options: InitOptions, command: Command) => {
      const ctx = contextOf(command);
      const [{ bootstrap, loadConfig, loadPepperRing }, { migrateToLatest, storageFromUrl }] =
        await Promise.all([import('@keyward/server'), import('@keyward/storage')]);
      const config = loadConfig(ctx.env.serverEnv, serverOverrides(options));
      const storage = storageFromUrl(config.databaseUrl, config.dataDir);
      try {
        await migrateToLatest(storage);
        const password = options.passwordStdin ? (await readStdin()).trim() : undefined;
        const result = await bootstrap(
          storage,
          loadPepperRing(config),
          {
            email: options.email,
            projectName: options.projectName,
            withToken: true,
            ...(password ? { password } : {}),
          },
          Date.now(),
        );
        const output = {
          admin_token: result.admin?.token,
          project_id: result.projectId,
          user_id: result.userId,
        };
        if (ctx.out.json) {
          process.stdout.write(`${JSON.stringify(output)}\n`);
        } else {
          process.stdout.write(
            `Keyward is initialised.\n  project: ${output.project_id}\n  admin:   ${output.user_id} (${options.email})\n\n` +
              `Admin token (shown once, store it now):\n  ${output.admin_token}\n`,
          );
        }
      } catch (error) {
        if (error instanceof KeywardError && error.code === 'ALREADY_INITIALIZED') {
          throw new CliError('Keyward is already initialised; `keyward init` runs only once per database');
        }
        throw error;
      } finally {
        await storage.close();
      }
    });
}
