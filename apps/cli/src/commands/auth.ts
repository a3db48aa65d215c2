import { missingScopes, tokenHint } from '@keyward/core';
import { type KeywardApi, KeywardApiError, type Me } from '@keyward/sdk';
import type { Command } from 'commander';
import { DEFAULT_URL } from '../config.ts';
import { apiFor, type Context, normalizeUrl, resolveTarget, storedFor } from '../context.ts';
import { checkName, credentialKey, slugify } from '../credentials.ts';
import { CliError, EXIT, usageError } from '../exit-codes.ts';
import { promptHidden, readStdin, stdinIsTty } from '../io.ts';
import { registerAuthStatus } from './auth-status.ts';

type ContextOf = (command: Command) => Context;

async function readToken(argument: string | undefined, withToken: boolean): Promise<string> {
  let token: string;
  if (argument !== undefined && argument !== '-') {
    if (withToken) throw usageError('give the token as an argument or with --with-token on stdin, not both');
    token = argument;
  } else if (withToken || argument === '-' || !stdinIsTty()) {
    token = await readStdin();
  } else {
    token = await promptHidden('Paste your Keyward token (input is hidden): ');
  }
  token = token.trim();
  if (!token) throw usageError('no token given');
  if (/\s/.test(token)) throw usageError('the token must be a single line without spaces');
  return token;
}

const forbidden = (error: unknown) =>
  error instanceof KeywardApiError && (error.status === 403 || error.status === 404);

/**
 * The credential's name: the role the server reports on /v1/me, else the role read through the
 * token itself (needs tokens:read and roles:read), else the token's own name.
 */
async function credentialName(api: KeywardApi, me: Me): Promise<{ name: string; hint: string | null }> {
  if (me.role !== undefined) return { name: slugify(me.role?.name ?? me.name), hint: null };
  const mayReadRole = missingScopes(me.scopes, ['tokens:read', 'roles:read']).length === 0;
  if (!me.token_id || !mayReadRole) return { name: slugify(me.name), hint: null };
  try {
    const token = await api.getToken(me.token_id);
    if (token.role_id === null) return { name: slugify(me.name), hint: token.hint };
    try {
      const role = (await api.listRoles()).data.find((r) => r.id === token.role_id);
      return { name: slugify(role?.name ?? me.name), hint: token.hint };
    } catch (error) {
      if (forbidden(error)) return { name: slugify(me.name), hint: token.hint };
      throw error;
    }
  } catch (error) {
    if (forbidden(error)) return { name: slugify(me.name), hint: null };
    throw error;
  }
}

export function registerAuth(program: Command, contextOf: ContextOf) {
  const auth = program.command('auth').description('log in, inspect and switch stored credentials');

  auth
    .command('login [token]')
    .description('check a token against the server and store it (argument, stdin, or a hidden prompt)')
    .option('--with-token', 'read the token from stdin')
    .option('--name <name>', "credential name (default: the token's role, else its name)")
    .addHelpText(
      'after',
      '\nThe environment comes from --environment (default "default"), the server from --url,\n' +
        `KEYWARD_URL, the environment's stored URL, or ${DEFAULT_URL}.`,
    )
    .action(
      async (
        argument: string | undefined,
        options: { withToken?: boolean; name?: string },
        command: Command,
      ) => {
        const ctx = contextOf(command);
        const environment = checkName('environment', ctx.opts.environment ?? 'default');
        if (options.name !== undefined) checkName('name', options.name);
        const previous = ctx.store.list().find((c) => c.environment === environment);
        const rawUrl = ctx.opts.url ?? ctx.env.url ?? previous?.url ?? DEFAULT_URL;
        const url = normalizeUrl(rawUrl);
        const token = await readToken(argument, options.withToken === true);
        const api = apiFor(url, token);
        const me = await api.getMe();
        if (me.via !== 'token') throw new CliError('the server did not authenticate a token', EXIT.auth);
        const found = await credentialName(api, me);
        const name = options.name ?? found.name;
        const credential = {
          name,
          environment,
          url,
          token,
          token_id: me.token_id,
          hint: found.hint ?? tokenHint(token),
          saved_at: new Date(ctx.now()).toISOString(),
        };
        ctx.store.save(credential);
        ctx.store.setActive(credentialKey(credential));
        const { out } = ctx;
        if (out.json) {
          const { token: _secret, ...visible } = credential;
          out.data({
            key: credentialKey(credential),
            ...visible,
            owner: me.owner,
            scopes: me.scopes,
            expires_at: me.expires_at,
            active: true,
          });
          return;
        }
        out.line(
          `${out.color.green('✓')} Logged in to ${url} as ${out.color.bold(credentialKey(credential))} (${credential.hint})`,
        );
        out.line(`  scopes: ${me.scopes.join(', ') || '(none)'}`);
        out.note(
          `Stored in ${ctx.store.fileOf(credentialKey(credential))} (mode 0600); it is now the active credential.`,
        );
      },
    );

  registerAuthStatus(auth, contextOf);

  auth
    .command('logout')
    .description(
      'forget the credentials of --environment (env or name@env), or the active one; the token stays valid',
    )
    .action((_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const selector = ctx.opts.environment ?? ctx.store.activeKey();
      if (!selector) throw new CliError('not logged in', EXIT.auth);
      const matches = ctx.store
        .list()
        .filter((c) => (selector.includes('@') ? credentialKey(c) === selector : c.environment === selector));
      if (matches.length === 0) throw new CliError(`no stored credential for "${selector}"`, EXIT.auth);
      for (const c of matches) ctx.store.remove(credentialKey(c));
      const removed = matches.map(credentialKey);
      if (ctx.out.json) {
        ctx.out.data({ removed, active: ctx.store.activeKey() });
        return;
      }
      for (const key of removed) ctx.out.line(`Logged out of ${key}`);
      ctx.out.note('The token itself still works; revoke it with `keyward tokens revoke <id>` if it leaked.');
    });

  auth
    .command('switch <selector>')
    .description('make a stored credential (name@env, or env when it holds one) the active one')
    .action((selector: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const credential = storedFor(ctx, selector);
      const key = credentialKey(credential);
      ctx.store.setActive(key);
      if (ctx.out.json) ctx.out.data({ active: key, url: credential.url, hint: credential.hint });
      else ctx.out.line(`Active credential: ${key} (${credential.url}, ${credential.hint})`);
    });

  auth
    .command('token')
    .description(
      'print the token in use (for scripts: `curl -H "Authorization: Bearer $(keyward auth token)"`)',
    )
    .action((_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const target = resolveTarget(ctx);
      if (!target.token) throw new CliError('not logged in: run `keyward auth login`', EXIT.auth);
      if (ctx.out.json) return ctx.out.data({ token: target.token, url: target.url, source: target.source });
      ctx.out.line(target.token);
    });
}
