import { TOKEN_STATUSES } from '@keyward/core';
import type {
  ListTokensQuery,
  TokenReplay,
  TokenStatus,
  TokenView,
  TokenWithSecret,
  UpdateTokenBody,
} from '@keyward/sdk';
import { type Command, Option } from 'commander';
import { apiFor, type Context, connect, resolveTarget } from '../context.ts';
import { usageError } from '../exit-codes.ts';
import { readStdin } from '../io.ts';
import type { Output } from '../output.ts';
import { confirmOrRefuse } from './resource.ts';
import {
  collect,
  durationOption,
  rateLimitOption,
  resolveRole,
  timestampOption,
  tokenFields,
  tokenTable,
} from './token-view.ts';
import { registerTokensImport } from './tokens-import.ts';
import { registerTokenStateCommands } from './tokens-state.ts';

type ContextOf = (command: Command) => Context;

type FieldOptions = {
  name?: string;
  description?: string;
  scope?: string[];
  role?: string;
  expiresIn?: string;
  expiresAt?: string;
  expiry?: boolean;
  rateLimit?: string[];
  allowIp?: string[];
  anyIp?: boolean;
  metadata?: string;
};

function withFieldOptions(command: Command): Command {
  return command
    .option('--description <text>', 'what the token is for')
    .option('--scope <scope>', 'a scope (resource:action); repeat for more', collect)
    .option('--role <role>', 'a role name or id instead of scopes')
    .option('--expires-in <duration>', 'lifetime: 3600, 90m, 12h, 30d, 2w')
    .option('--expires-at <time>', 'expiry as an ISO 8601 time')
    .option('--rate-limit <limit>', 'requests per window, e.g. 100/60s; repeat for more', collect)
    .option('--allow-ip <cidr>', 'only from this address or CIDR (IPv4/IPv6); repeat for more', collect)
    .option('--any-ip', 'remove the IP allowlist')
    .option('--metadata <json>', 'a JSON object (at most 4 KB) every verify answer returns');
}

function metadataOption(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw usageError('--metadata must be JSON, e.g. \'{"plan":"pro"}\'');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw usageError('--metadata must be a JSON object');
  return value as Record<string, unknown>;
}

async function fieldsFrom(ctx: Context, options: FieldOptions): Promise<UpdateTokenBody> {
  const { api } = connect(ctx);
  if (options.scope && options.role) throw usageError('give --scope or --role, not both');
  const expiries = [options.expiresIn, options.expiresAt, options.expiry === false ? 'none' : undefined];
  if (expiries.filter((e) => e !== undefined).length > 1) {
    throw usageError('give one of --expires-in, --expires-at, --no-expiry');
  }
  const fields: UpdateTokenBody = {};
  if (options.name !== undefined) fields.name = options.name;
  if (options.description !== undefined) fields.description = options.description;
  if (options.scope) fields.scopes = options.scope;
  if (options.role) fields.role_id = (await resolveRole(api, options.role)).id;
  if (options.expiresIn) fields.expires_in_seconds = durationOption('--expires-in', options.expiresIn);
  if (options.expiresAt) fields.expires_at = timestampOption('--expires-at', options.expiresAt);
  if (options.expiry === false) fields.expires_at = null;
  if (options.rateLimit) fields.rate_limits = options.rateLimit.map(rateLimitOption);
  if (options.allowIp && options.anyIp) throw usageError('give --allow-ip or --any-ip, not both');
  if (options.allowIp) fields.allowed_ips = options.allowIp;
  if (options.anyIp) fields.allowed_ips = [];
  if (options.metadata !== undefined) fields.metadata = metadataOption(options.metadata);
  return fields;
}

/** The one place a secret is printed: stdout only, alone on its line, so `$(keyward tokens create …)` captures it. */
function printSecret(out: Output, token: TokenWithSecret | TokenReplay, verb: string) {
  if (out.json) {
    out.data(token);
    return;
  }
  if (!('token' in token)) {
    // A replayed Idempotency-Key: the secret went with the first answer and is never stored.
    out.note(`Already ${verb.toLowerCase()} ${token.id} "${token.name}" (${token.hint}) with this key;`);
    out.note('its secret was delivered with the first answer and cannot be shown again.');
    return;
  }
  out.note(`${verb} ${token.id} "${token.name}" (${token.hint}). The secret is shown once; store it now:`);
  out.line(token.token);
}

async function showOne(ctx: Context, token: TokenView) {
  if (ctx.out.json) return ctx.out.data(token);
  tokenFields(ctx.out, token, ctx.now());
}

export function registerTokens(program: Command, contextOf: ContextOf) {
  const tokens = program
    .command('tokens')
    .description('create, list, inspect, change, rotate and revoke tokens');

  withFieldOptions(
    tokens
      .command('create')
      .description('create a token; its secret is printed once, to stdout')
      .requiredOption('--name <name>', 'a name people will recognise')
      .option('--service-account <id>', 'owned by this service account (sa_…) instead of you')
      .option('--idempotency-key <key>', 'a retry with the same key and options creates no second token'),
  ).action(
    async (
      options: FieldOptions & { name: string; serviceAccount?: string; idempotencyKey?: string },
      command: Command,
    ) => {
      if (!options.scope && !options.role) {
        throw usageError(
          'a token needs rights: give --scope <resource:action> (repeatable) or --role <role>',
        );
      }
      const ctx = contextOf(command);
      const fields = await fieldsFrom(ctx, options);
      const { api } = connect(ctx);
      const created = await api.createToken(
        {
          ...fields,
          name: options.name,
          ...(options.serviceAccount ? { service_account_id: options.serviceAccount } : {}),
        },
        options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : undefined,
      );
      printSecret(ctx.out, created, 'Created');
    },
  );

  tokens
    .command('list')
    .description("list the project's tokens, newest first")
    .addOption(new Option('--status <status>', 'only tokens in this state').choices([...TOKEN_STATUSES]))
    .option('--owner <id>', 'only tokens of this owner (usr_… or sa_…)')
    .option('--role <role>', 'only tokens holding this role (name or id)')
    .addOption(new Option('--kind <kind>', 'only this kind').choices(['standard', 'personal', 'imported']))
    .option('--search <text>', 'match names')
    .option('--limit <n>', 'page size (1-200)', '50')
    .option('--cursor <cursor>', 'continue after a previous page')
    .option('--all', 'follow every page')
    .action(async (options: Record<string, string | boolean | undefined>, command: Command) => {
      const ctx = contextOf(command);
      const { api } = connect(ctx);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw usageError('--limit must be 1-200');
      const query: ListTokensQuery = { limit };
      if (typeof options.status === 'string') query.status = options.status as TokenStatus;
      if (typeof options.owner === 'string') {
        query.owner_id = options.owner;
        query.owner_type = options.owner.startsWith('sa_') ? 'service_account' : 'user';
      }
      if (typeof options.role === 'string') query.role_id = (await resolveRole(api, options.role)).id;
      if (typeof options.kind === 'string') query.kind = options.kind as ListTokensQuery['kind'];
      if (typeof options.search === 'string') query.search = options.search;
      if (typeof options.cursor === 'string') query.cursor = options.cursor;
      const data: TokenView[] = [];
      let next: string | null = null;
      do {
        const page = await api.listTokens(next ? { ...query, cursor: next } : query);
        data.push(...page.data);
        next = page.next_cursor;
      } while (options.all && next);
      if (ctx.out.json) return ctx.out.data({ data, next_cursor: next });
      if (data.length === 0) ctx.out.note('No tokens match.');
      else tokenTable(ctx.out, data, ctx.now());
      if (next) ctx.out.note(`More tokens follow: --cursor ${next} (or --all)`);
    });

  tokens
    .command('show <token-id>')
    .description('show one token (never its secret)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      await showOne(ctx, await connect(ctx).api.getToken(id));
    });

  withFieldOptions(
    tokens
      .command('update <token-id>')
      .description('change name, description, scopes or role, expiry, rate limits, IP allowlist or metadata')
      .option('--name <name>', 'new name')
      .option('--no-expiry', 'remove the expiry'),
  ).action(async (id: string, options: FieldOptions, command: Command) => {
    const ctx = contextOf(command);
    const fields = await fieldsFrom(ctx, options);
    if (Object.keys(fields).length === 0)
      throw usageError('nothing to change; see `keyward tokens update --help`');
    const updated = await connect(ctx).api.updateToken(id, fields);
    if (!ctx.out.json) ctx.out.note(`Updated ${updated.id}.`);
    await showOne(ctx, updated);
  });

  tokens
    .command('revoke [token-id]')
    .description('revoke a token: the very next request with it is refused')
    .option('--value <source>', 'revoke the token whose secret is read from stdin (`-`); needs no login')
    .option('--reason <text>', 'why (kept in the token record and the audit log)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      async (
        id: string | undefined,
        options: { reason?: string; yes?: boolean; value?: string },
        command: Command,
      ) => {
        const ctx = contextOf(command);
        if (options.value !== undefined) {
          if (id !== undefined) throw usageError('give a token id or --value -, not both');
          if (options.value !== '-') throw usageError('--value reads the secret from stdin: use --value -');
          const secret = (await readStdin()).trim();
          if (secret === '') throw usageError('no token on stdin');
          // RFC 7009: the token is its own credential, and the answer is the same whether it existed.
          await apiFor(resolveTarget(ctx).url, undefined).revokeTokenByValue({ token: secret });
          if (ctx.out.json) return ctx.out.data({ revoked: 'if it existed' });
          ctx.out.line('Done: if that token existed, it is revoked now.');
          return;
        }
        if (id === undefined) throw usageError('give a token id, or --value - to read a secret from stdin');
        const { api } = connect(ctx);
        await confirmOrRefuse(
          options.yes,
          `Revoke ${id}? Every client using it will be refused at once.`,
          'revoke',
        );
        const revoked = await api.revokeToken(id, options.reason ? { reason: options.reason } : {});
        if (ctx.out.json) return ctx.out.data(revoked);
        ctx.out.line(`Revoked ${revoked.id} "${revoked.name}" (${revoked.hint}).`);
      },
    );

  tokens
    .command('rotate <token-id>')
    .description('new secret for the same token id, settings and history; printed once, to stdout')
    .option(
      '--grace <duration>',
      'keep the old secret working this long (e.g. 1h); default: stops at once',
      '0',
    )
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (id: string, options: { grace: string; yes?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      const grace = durationOption('--grace', options.grace);
      const { api } = connect(ctx);
      const when = grace === 0 ? 'stops working at once' : `keeps working for ${options.grace}`;
      await confirmOrRefuse(options.yes, `Rotate ${id}? The old secret ${when}.`, 'rotate');
      printSecret(ctx.out, await api.rotateToken(id, { grace_period_seconds: grace }), 'Rotated');
    });

  registerTokenStateCommands(tokens, contextOf);
  registerTokensImport(tokens, contextOf);
}
