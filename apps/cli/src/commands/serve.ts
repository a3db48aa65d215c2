import { loadConfig, startServer } from '@keyward/server';
import type { Command } from 'commander';
import { serverOverrides } from './server-options.ts';

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('run the Keyward server (SQLite in --data-dir unless DATABASE_URL is set)')
    .option('-p, --port <port>', 'port to listen on (KEYWARD_PORT, default 8080)')
    .option('--host <host>', 'address to bind (KEYWARD_HOST, default 0.0.0.0)')
    .option('--data-dir <dir>', 'where the SQLite file and pepper live (KEYWARD_DATA_DIR, default ./data)')
    .action(async (options: { port?: string; host?: string; dataDir?: string }) => {
      const config = loadConfig(process.env, serverOverrides(options));
      await startServer(config);
    });
}
