import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Context } from '../context.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { serverOverrides } from './server-options.ts';

const PEPPER_REMINDER =
  'The pepper is not in the backup, by design: keep <data-dir>/pepper (or KEYWARD_PEPPER) apart;\n' +
  'without it no restored token verifies.';

const POSTGRES_PROCEDURE =
  'On PostgreSQL use its own tools (see README, "Backup and restore"): pg_dump --format=custom';

type Options = { dataDir?: string; force?: boolean };

/** The SQLite file the configuration points at; PostgreSQL has its own procedure. */
async function sqlitePath(ctx: Context, options: Options): Promise<string> {
  const [{ loadConfig }, { databaseLocation }] = await Promise.all([
    import('@keyward/server'),
    import('@keyward/storage'),
  ]);
  const config = loadConfig(ctx.env.serverEnv, serverOverrides(options));
  const location = databaseLocation(config.databaseUrl, config.dataDir);
  if (location.kind !== 'sqlite') throw new CliError(POSTGRES_PROCEDURE, EXIT.usage);
  return location.path;
}

function report(
  ctx: Context,
  verb: string,
  result: { path: string; pages: number; migration: string | null },
) {
  if (ctx.out.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else
    process.stdout.write(
      `${verb} ${result.path} (${result.pages} pages, schema ${result.migration})\n${PEPPER_REMINDER}\n`,
    );
}

export function registerBackup(program: Command, contextOf: (command: Command) => Context) {
  program
    .command('backup <file>')
    .description('write a consistent copy of the SQLite database, while the server keeps serving')
    .option('--data-dir <dir>', 'data directory of the SQLite default (or set DATABASE_URL)')
    .action(async (file: string, options: Options, command: Command) => {
      const ctx = contextOf(command);
      const { backupSqlite } = await import('@keyward/storage');
      const source = await sqlitePath(ctx, options);
      report(ctx, 'backed up to', await fail(() => backupSqlite(source, resolve(file))));
    });

  program
    .command('restore <file>')
    .description('put a backup in place as the SQLite database (stop the server first)')
    .option('--data-dir <dir>', 'data directory of the SQLite default (or set DATABASE_URL)')
    .option('--force', 'replace an existing database')
    .action(async (file: string, options: Options, command: Command) => {
      const ctx = contextOf(command);
      const { restoreSqlite } = await import('@keyward/storage');
      const target = await sqlitePath(ctx, options);
      report(
        ctx,
        'restored',
        await fail(() => restoreSqlite(resolve(file), target, { force: options.force === true })),
      );
    });
}

/** Refusals of the storage layer (a file exists, not a Keyward database …) are the user's to fix. */
async function fail<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}
