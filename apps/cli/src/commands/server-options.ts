import { resolve, sep } from 'node:path';
import type { Config } from '@keyward/server';
import { CliError, EXIT } from '../exit-codes.ts';

/** Flags that override the environment for commands that open the database directly. */
export function serverOverrides(options: {
  port?: string;
  host?: string;
  dataDir?: string;
}): Partial<Config> {
  const overrides: Partial<Config> = {};
  if (options.port !== undefined) {
    const port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new CliError(`invalid port: ${options.port}`, EXIT.usage);
    overrides.port = port;
  }
  if (options.host !== undefined) overrides.host = options.host;
  if (options.dataDir !== undefined) overrides.dataDir = options.dataDir;
  return overrides;
}

/** `--data-dir …` when not the default, so a command printed for later finds the same database. */
function dataDirArgument(dataDir: string): string {
  return dataDir === resolve('data') ? '' : ` --data-dir ${dataDir}`;
}

/** How to run this CLI again: `npx keyward` from a clone or local install, `keyward` when installed globally. */
export function selfCommand(script = process.argv[1] ?? ''): string {
  return resolve(script).startsWith(`${process.cwd()}${sep}`) ? 'npx keyward' : 'keyward';
}

/** The self command that reaches the same database: its `--data-dir`, or the DATABASE_URL it needs. */
export function selfCommandFor(config: Config, subcommand: string): string {
  if (config.databaseUrl) return `DATABASE_URL=… ${selfCommand()} ${subcommand}`;
  return `${selfCommand()} ${subcommand}${dataDirArgument(config.dataDir)}`;
}
