import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { type Context, VERSION } from '../context.ts';
import { usageError } from '../exit-codes.ts';
import { browserUrl, dataLocation, startupBanner, terminalLogStream } from '../serve-output.ts';
import { selfCommandFor, serverOverrides } from './server-options.ts';

type ServeOptions = { port?: string; host?: string; dataDir?: string; logFormat?: string };

const LOG_FORMATS = ['pretty', 'json'] as const;

export function registerServe(program: Command, contextOf: (command: Command) => Context) {
  program
    .command('serve')
    .description('run the Keyward server (SQLite in --data-dir unless DATABASE_URL is set)')
    .option('-p, --port <port>', 'port to listen on (KEYWARD_PORT, default 8080)')
    .option('--host <host>', 'address to bind (KEYWARD_HOST, default 127.0.0.1; 0.0.0.0 for every interface)')
    .option('--data-dir <dir>', 'where the SQLite file and pepper live (KEYWARD_DATA_DIR, default ./data)')
    .option(
      '--log-format <format>',
      'pretty (a banner and one line per request) or json; default: pretty on a terminal',
    )
    .action(async (options: ServeOptions, command: Command) => {
      const ctx = contextOf(command);
      const format = options.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json');
      if (!(LOG_FORMATS as readonly string[]).includes(format))
        throw usageError(`--log-format must be pretty or json, not ${format}`);
      // Loaded on demand: the client commands start without Fastify and the database drivers.
      const { createLogger, loadConfig, startServer } = await import('@keyward/server');
      const config = loadConfig(ctx.env.serverEnv, serverOverrides(options));
      const { color } = ctx.out;
      const write = (text: string) => process.stdout.write(text);
      const logger = format === 'pretty' ? createLogger(config, terminalLogStream(write, color)) : undefined;
      const running = await startServer(config, logger ? { logger } : {});

      const url = browserUrl(config.host, (running.app.server.address() as AddressInfo).port);
      const initCommand = selfCommandFor(config, 'init');
      if (format === 'pretty') {
        const facts = {
          version: VERSION,
          url,
          host: config.host,
          dataLocation: dataLocation(config.databaseUrl, config.dataDir),
          setupCode: running.setupCode,
          initCommand,
        };
        write(startupBanner(facts, color));
      } else if (running.setupCode) {
        // The code only creates the first administrator, once; it is not a credential for anything else.
        running.app.log.warn(
          `Keyward has no users yet. Open ${url}/setup and enter setup code ${running.setupCode}, ` +
            `or run \`${initCommand}\` to create the administrator and an admin token from the terminal.`,
        );
      }
    });
}
