import { loadConfig } from '@keyward/server';
import { migrateToLatest, storageFromUrl } from '@keyward/storage';
import type { Command } from 'commander';
import { serverOverrides } from './server-options.ts';

export function registerMigrate(program: Command) {
  program
    .command('migrate')
    .description('apply pending database migrations (serve also does this at start)')
    .option('--data-dir <dir>', 'data directory of the SQLite default (or set DATABASE_URL)')
    .option('--json', 'machine-readable output')
    .action(async (options: { dataDir?: string; json?: boolean }) => {
      const config = loadConfig(process.env, serverOverrides(options));
      const storage = storageFromUrl(config.databaseUrl, config.dataDir);
      try {
        const applied = await migrateToLatest(storage);
        if (options.json) process.stdout.write(`${JSON.stringify({ applied })}\n`);
        else
          process.stdout.write(
            applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
          );
      } finally {
        await storage.close();
      }
    });
}
