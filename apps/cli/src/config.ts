import { homedir } from 'node:os';
import { join } from 'node:path';

/** Everything the CLI takes from its environment, read once in the entry module. */
export type CliEnv = {
  /** `$XDG_CONFIG_HOME/keyward` or `~/.config/keyward`. */
  configDir: string;
  url: string | undefined;
  token: string | undefined;
  noColor: boolean;
  /** The raw environment, handed only to the server commands (serve, init, migrate). */
  serverEnv: NodeJS.ProcessEnv;
};

export const DEFAULT_URL = 'http://127.0.0.1:8080';

const nonEmpty = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

export function readEnv(env: NodeJS.ProcessEnv): CliEnv {
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  const home = nonEmpty(env.HOME) ?? homedir();
  return {
    configDir: join(xdg ?? join(home, '.config'), 'keyward'),
    url: nonEmpty(env.KEYWARD_URL),
    token: nonEmpty(env.KEYWARD_TOKEN),
    noColor: env.NO_COLOR !== undefined || env.TERM === 'dumb',
    serverEnv: env,
  };
}
