import {
  createClient,
  type KeywardApi,
  KeywardApiError,
  type KeywardClient,
  KeywardUnreachableError,
  keywardApi,
} from '@keyward/sdk';
import type { Command } from 'commander';
import { type CliEnv, DEFAULT_URL } from './config.ts';
import {
  type Credential,
  type CredentialStore,
  createCredentialStore,
  credentialKey,
} from './credentials.ts';
import { CliError, EXIT, usageError } from './exit-codes.ts';
import { parseFieldList } from './json-fields.ts';
import { colorWanted, createOutput, type Output } from './output.ts';

export const VERSION = '0.1.0';

/** Options every command accepts (defined once on the program). */
export type GlobalOptions = {
  json?: boolean;
  jsonFields?: string;
  environment?: string;
  url?: string;
  color?: boolean;
};

export type Context = {
  env: CliEnv;
  opts: GlobalOptions;
  out: Output;
  store: CredentialStore;
  now: () => number;
};

export type Target = {
  url: string;
  token: string | null;
  credential: Credential | null;
  /** Where the token came from, for `auth status` and error hints. */
  source: 'environment flag' | 'KEYWARD_TOKEN' | 'active credential' | 'none';
};

export function createContext(env: CliEnv, command: Command): Context {
  const opts = command.optsWithGlobals<GlobalOptions>();
  return {
    env,
    opts,
    out: createOutput({
      json: opts.json === true || opts.jsonFields !== undefined,
      color: colorWanted(env.noColor, opts.color !== false),
      ...(opts.jsonFields !== undefined ? { fields: fieldsOption(opts.jsonFields) } : {}),
    }),
    store: createCredentialStore(env.configDir),
    now: Date.now,
  };
}

function fieldsOption(text: string): string[] {
  try {
    return parseFieldList(text);
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

export function normalizeUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`invalid URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`URL must be http(s): ${raw}`);
  if (url.username || url.password || url.search)
    throw usageError('the URL must not carry credentials or a query');
  return url.toString().replace(/\/+$/, '');
}

/** `--environment` picks one stored credential; several in one environment need `name@env`. */
export function storedFor(ctx: Context, selector: string): Credential {
  const found = ctx.store.select(selector);
  if (found.length === 1 && found[0]) return found[0];
  if (found.length === 0) {
    throw new CliError(
      `no stored credential for "${selector}"; run \`keyward auth login --environment …\``,
      EXIT.auth,
    );
  }
  throw usageError(
    `"${selector}" matches ${found.map(credentialKey).join(', ')}; name one as name@environment`,
  );
}

/** Precedence: flags (--url, --environment) > KEYWARD_URL / KEYWARD_TOKEN > the active stored credential. */
export function resolveTarget(ctx: Context): Target {
  const flagUrl = ctx.opts.url ? normalizeUrl(ctx.opts.url) : undefined;
  if (ctx.opts.environment) {
    const credential = storedFor(ctx, ctx.opts.environment);
    return {
      url: flagUrl ?? credential.url,
      token: credential.token,
      credential,
      source: 'environment flag',
    };
  }
  const active = ctx.store.active();
  const envUrl = ctx.env.url ? normalizeUrl(ctx.env.url) : undefined;
  if (ctx.env.token) {
    return {
      url: flagUrl ?? envUrl ?? active?.url ?? DEFAULT_URL,
      token: ctx.env.token,
      credential: null,
      source: 'KEYWARD_TOKEN',
    };
  }
  if (active)
    return {
      url: flagUrl ?? envUrl ?? active.url,
      token: active.token,
      credential: active,
      source: 'active credential',
    };
  return { url: flagUrl ?? envUrl ?? DEFAULT_URL, token: null, credential: null, source: 'none' };
}

export function clientFor(url: string, token: string | undefined): KeywardClient {
  return createClient({
    baseUrl: url,
    ...(token ? { token } : {}),
    headers: { 'user-agent': `keyward-cli/${VERSION}` },
  });
}

export const apiFor = (url: string, token: string | undefined): KeywardApi =>
  keywardApi(clientFor(url, token));

/** The API as the selected credential; refuses early (exit 3) when there is no token at all. */
export function connect(ctx: Context): { api: KeywardApi; client: KeywardClient; target: Target } {
  const target = resolveTarget(ctx);
  if (!target.token) {
    throw new CliError('not logged in: run `keyward auth login` or set KEYWARD_TOKEN', EXIT.auth);
  }
  const client = clientFor(target.url, target.token);
  return { api: keywardApi(client), client, target };
}

/** One line for a refused or failed request: the server's words, its code and the error id to quote. */
export function describeFailure(error: unknown): { message: string; exitCode: number; json: unknown } {
  if (error instanceof KeywardApiError) {
    const p = error.problem;
    const exitCode = error.status === 401 || error.status === 403 ? EXIT.auth : EXIT.failure;
    if (!p)
      return { message: error.message, exitCode, json: { status: error.status, message: error.message } };
    const text = p.detail && p.detail !== p.title ? `${p.title}: ${p.detail}` : p.title;
    return {
      message: `${text} (${p.code}, error id ${p.error_id})`,
      exitCode,
      json: { status: p.status, code: p.code, error_id: p.error_id, title: p.title, detail: p.detail },
    };
  }
  if (error instanceof KeywardUnreachableError) {
    return {
      message: error.message,
      exitCode: EXIT.failure,
      json: { code: 'UNREACHABLE', message: error.message },
    };
  }
  if (error instanceof CliError) {
    return {
      message: error.message,
      exitCode: error.exitCode,
      json: { message: error.message, ...error.details },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message, exitCode: EXIT.failure, json: { message } };
}
