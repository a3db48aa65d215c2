import { resolve } from 'node:path';
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
export function dataDirArgument(dataDir: string): string {
  return dataDir === resolve('data') ? '' : ` --data-dir ${dataDir}`;
}
