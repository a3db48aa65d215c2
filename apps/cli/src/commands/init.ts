import { KeywardError } from '@keyward/core';
import { bootstrap, loadConfig, loadPepperRing } from '@keyward/server';
import { migrateToLatest, storageFromUrl } from '@keyward/storage';
import type { Command } from 'commander';
import { CliError } from '../exit-codes.ts';
import { readStdin } from '../io.ts';
import { serverOverrides } from './server-options.ts';

type InitOptions = {
  dataDir?: string;
  email: string;
  passwordStdin?: boolean;
  projectName: string;
  json?: boolean;
};

export function registerInit(program: Command) {
  program
    .command('init')
    .description('create the first administrator, a default project and an admin token (once)')
    .option('--data-dir <dir>', 'data directory of the SQLite default (or set DATABASE_URL)')
    .option('--email <email>', 'the administrator’s email', 'admin@localhost')
    .option('--password-stdin', 'read a console password for the administrator from stdin')
    .option('--project-name <name>', 'name of the first project', 'default')
    .option('--json', 'print {"admin_token","project_id","user_id"} as JSON')
    .action(async (options: InitOptions) => {
      const config = loadConfig(process.env, serverOverrides(options));
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
        if (options.json) {
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
