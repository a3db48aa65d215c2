import type { Command } from 'commander';
import type { Context } from '../context.ts';
import { serverOverrides } from './server-options.ts';

export function registerServe(program: Command, contextOf: (command: Command) => Context) {
  program
    .command('serve')
    .description('run the Keyward server (SQLite in --data-dir unless DATABASE_URL is set)')
    .option('-p, --port <port>', 'port to listen on (KEYWARD_PORT, default 8080)')
    .option('--host <host>', 'address to bind (KEYWARD_HOST, default 0.0.0.0)')
    .option('--data-dir <dir>', 'where the SQLite file and pepper live (KEYWARD_DATA_DIR, default ./data)')
    .action(async (options: { port?: string; host?: string; dataDir?: string }, command: Command) => {
      // Loaded on demand: the client commands start without Fastify and the database drivers.
      const { loadConfig, startServer } = await import('@keyward/server');
      const config = loadConfig(contextOf(command).env.serverEnv, serverOverrides(options));
      await startServer(config);
    });
}
