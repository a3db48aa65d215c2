import type { Command } from 'commander';
import type { Context } from '../context.ts';
import { serverOverrides } from './server-options.ts';

export function registerMigrate(program: Command, contextOf: (command: Command) => Context) {
  program
    .command('migrate')
    .description('apply pending database migrations (serve also does this at start)')
    .option('--data-dir <dir>', 'data directory of the SQLite default (or set DATABASE_URL)')
    .action(async (options: { dataDir?: string }, command: Command) => {
      const ctx = contextOf(command);
      const [{ loadConfig }, { migrateToLatest, storageFromUrl }] = await Promise.all([
        import('@keyward/server'),
        import('@keyward/storage'),
      ]);
      const config = loadConfig(ctx.env.serverEnv, serverOverrides(options));
      const storage = storageFromUrl(config.databaseUrl, config.dataDir);
      try {
        const applied = await migrateToLatest(storage);
        if (ctx.out.json) process.stdout.write(`${JSON.stringify({ applied })}\n`);
        else
          process.stdout.write(
            applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
          );
      } finally {
        await storage.close();
      }
    });
}
