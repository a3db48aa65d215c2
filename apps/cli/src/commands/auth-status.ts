import { missingScopes, tokenHint } from '@keyward/core';
import { KeywardApiError, KeywardUnreachableError, type Me, type TokenView } from '@keyward/sdk';
import type { Command } from 'commander';
import { apiFor, type Context, clientFor, describeFailure, resolveTarget, storedFor } from '../context.ts';
import { credentialKey } from '../credentials.ts';
import { EXIT } from '../exit-codes.ts';
import { expiryText, relativeTime } from '../output.ts';

export type CredentialState = 'authenticated' | 'revoked' | 'expired' | 'invalid' | 'unreachable' | 'error';

type Entry = { key: string; source: 'stored' | 'KEYWARD_TOKEN'; url: string; token: string; hint: string };

type Checked = {
  key: string;
  source: Entry['source'];
  url: string;
  hint: string;
  token_id: string | null;
  active: boolean;
  state: CredentialState;
  code: string | null;
  error_id: string | null;
  message: string | null;
  owner: Me['owner'] | null;
  scopes: string[] | null;
  expires_at: string | null;
  expires_in_seconds: number | null;
  last_used_at: string | null;
  /** False when the token may not read its own record (tokens:read), so last use is unknown. */
  last_used_known: boolean;
  /** Headroom of the tightest rate-limit window, when the server reports it. */
  rate_limit: NonNullable<Me['rate_limits']>['effective'];
  /** The server's notices for this token: expiring soon, or about to be revoked as idle. */
  reminders: Reminder[];
};

type Reminder = { kind: 'expiring' | 'idle'; at: string; days_left: number };

/** Notices are advisory: a server without them (older) or a refusal leaves the list empty. */
async function remindersFor(entry: Entry): Promise<Reminder[]> {
  try {
    const answer = await clientFor(entry.url, entry.token).request<{ data: Reminder[] }>(
      'GET',
      '/v1/me/reminders',
    );
    return answer.data.map(({ kind, at, days_left }) => ({ kind, at, days_left }));
  } catch {
    return [];
  }
}

export function reminderWarning(r: Reminder): string {
  const when = r.days_left <= 1 ? 'within a day' : `in ${r.days_left} days`;
  return r.kind === 'expiring'
    ? `this token expires ${when} (${r.at}): rotate or replace it`
    : `this token is unused and will be revoked ${when} (${r.at}) unless it is used`;
}

function stateOf(error: unknown): CredentialState {
  if (error instanceof KeywardUnreachableError) return 'unreachable';
  if (error instanceof KeywardApiError && (error.status === 401 || error.status === 403)) {
    if (error.code === 'TOKEN_REVOKED') return 'revoked';
    if (error.code === 'TOKEN_EXPIRED') return 'expired';
    return 'invalid';
  }
  return 'error';
}

async function check(entry: Entry, tokenId: string | null, active: boolean, now: number): Promise<Checked> {
  const base = { key: entry.key, source: entry.source, url: entry.url, hint: entry.hint, active };
  const api = apiFor(entry.url, entry.token);
  let me: Me;
  try {
    me = await api.getMe();
  } catch (error) {
    const failure = describeFailure(error);
    return {
      ...base,
      token_id: tokenId,
      state: stateOf(error),
      code: error instanceof KeywardApiError ? (error.code ?? null) : null,
      error_id: error instanceof KeywardApiError ? (error.errorId ?? null) : null,
      message: failure.message,
      owner: null,
      scopes: null,
      expires_at: null,
      expires_in_seconds: null,
      last_used_at: null,
      last_used_known: false,
      rate_limit: null,
      reminders: [],
    };
  }
  let record: TokenView | null = null;
  // Ask only when the token holds tokens:read: a refused read would leave an error record each time.
  if (me.token_id && missingScopes(me.scopes, ['tokens:read']).length === 0) {
    record = await api.getToken(me.token_id).catch(() => null);
  }
  return {
    ...base,
    token_id: me.token_id,
    state: 'authenticated',
    code: null,
    error_id: null,
    message: null,
    owner: me.owner,
    scopes: me.scopes,
    expires_at: me.expires_at,
    expires_in_seconds: me.expires_at === null ? null : Math.round((Date.parse(me.expires_at) - now) / 1000),
    last_used_at: record?.last_used_at ?? null,
    last_used_known: record !== null,
    rate_limit: me.rate_limits?.effective ?? null,
    reminders: await remindersFor(entry),
  };
}

export function registerAuthStatus(auth: Command, contextOf: (command: Command) => Context) {
  auth
    .command('status')
    .description('check every stored credential (or --environment) against its server')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const stored = ctx.opts.environment ? [storedFor(ctx, ctx.opts.environment)] : ctx.store.list();
      const selected = resolveTarget(ctx);
      const selectedKey =
        selected.source === 'KEYWARD_TOKEN'
          ? 'KEYWARD_TOKEN'
          : selected.credential
            ? credentialKey(selected.credential)
            : null;
      const entries: Entry[] = stored.map((c) => ({
        key: credentialKey(c),
        source: 'stored',
        // --url / KEYWARD_URL redirect the selected credential, as they do for every other command.
        url: credentialKey(c) === selectedKey ? selected.url : c.url,
        token: c.token,
        hint: c.hint,
      }));
      if (selected.source === 'KEYWARD_TOKEN' && selected.token) {
        entries.unshift({
          key: 'KEYWARD_TOKEN',
          source: 'KEYWARD_TOKEN',
          url: selected.url,
          token: selected.token,
          hint: tokenHint(selected.token),
        });
      }
      const now = ctx.now();
      const tokenIds = new Map(stored.map((c) => [credentialKey(c), c.token_id]));
      const results = await Promise.all(
        entries.map((e) => check(e, tokenIds.get(e.key) ?? null, e.key === selectedKey, now)),
      );
      const current = results.find((r) => r.active) ?? null;
      const authenticated = current?.state === 'authenticated';
      process.exitCode =
        current === null || ['revoked', 'expired', 'invalid'].includes(current.state)
          ? EXIT.auth
          : authenticated
            ? EXIT.ok
            : EXIT.failure;

      const { out } = ctx;
      if (out.json) {
        out.data({
          authenticated,
          active: selectedKey,
          stored_credentials: stored.map(credentialKey),
          credentials: results,
        });
        return;
      }
      if (results.length === 0) {
        out.line('Not logged in. Run `keyward auth login --environment <env>` or set KEYWARD_TOKEN.');
        return;
      }
      const { color } = out;
      results.forEach((r, i) => {
        if (i > 0) out.line();
        out.line(`${color.bold(r.key)}${r.active ? color.dim(' (active)') : ''}`);
        const ok = r.state === 'authenticated';
        const state = ok ? color.green('✓ authenticated') : color.red(`✗ ${r.state}`);
        const pairs: [string, string][] = [
          ['  url', r.url],
          ['  token', r.token_id ? `${r.hint} (${r.token_id})` : r.hint],
          ['  status', r.message ? `${state} — ${r.message}` : state],
        ];
        if (ok) {
          pairs.push(
            ['  owner', r.owner ? `${r.owner.type} ${r.owner.id}` : '-'],
            ['  scopes', r.scopes?.join(', ') || '(none)'],
            ['  expires', expiryText(r.expires_at, now)],
            [
              '  last used',
              r.last_used_known ? relativeTime(r.last_used_at, now) : 'unknown (needs tokens:read)',
            ],
          );
          const rl = r.rate_limit;
          if (rl) {
            pairs.push([
              '  rate limit',
              `${rl.remaining}/${rl.limit} left per ${rl.window_seconds}s (${rl.policy}, resets in ${rl.reset_seconds}s)`,
            ]);
          }
        }
        for (const reminder of ok ? r.reminders : [])
          pairs.push(['  warning', color.yellow(`⚠ ${reminderWarning(reminder)}`)]);
        out.fields(pairs);
      });
    });
}
