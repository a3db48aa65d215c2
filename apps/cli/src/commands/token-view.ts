import type { KeywardApi, RoleView, TokenView } from '@keyward/sdk';
import { CliError, usageError } from '../exit-codes.ts';
import { expiryText, type Output, parseDurationSeconds, relativeTime } from '../output.ts';

/** Role ids by name (and id), for commands that accept `--role client`. */
export async function roleLookup(api: KeywardApi): Promise<Map<string, RoleView>> {
  const roles = (await api.listRoles()).data;
  return new Map(roles.flatMap((r) => [[r.name, r] as const, [r.id, r] as const]));
}

export async function resolveRole(api: KeywardApi, nameOrId: string): Promise<RoleView> {
  const roles = await roleLookup(api);
  const role = roles.get(nameOrId);
  if (!role) {
    const names = [...new Set([...roles.values()].map((r) => r.name))].join(', ');
    throw new CliError(`no role named "${nameOrId}" in this project (roles: ${names || 'none'})`);
  }
  return role;
}

/** A duration with its unit (`30d`, `12h`, `45m`); a bare `30` is refused, not read as seconds. */
export function durationOption(flag: string, text: string): number {
  const bare = /^\s*(\d+)\s*$/.exec(text)?.[1];
  if (bare !== undefined && bare !== '0') {
    throw usageError(`${flag} ${text}: use a unit: ${bare}d, ${bare}h, ${bare}m or ${bare}s`);
  }
  const seconds = parseDurationSeconds(text);
  if (seconds === null)
    throw usageError(`${flag}: expected a duration like 90m, 12h, 30d or 2w, got "${text}"`);
  return seconds;
}

export function timestampOption(flag: string, text: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw usageError(`${flag}: expected an ISO 8601 time, got "${text}"`);
  return new Date(ms).toISOString();
}

export function rateLimitOption(text: string): { limit: number; window_seconds: number } {
  const match = /^(\d+)\/(.+)$/.exec(text);
  const window = match?.[2] ? parseDurationSeconds(match[2]) : null;
  if (!match || window === null)
    throw usageError(`--rate-limit: expected <requests>/<window> like 100/60s, got "${text}"`);
  return { limit: Number(match[1]), window_seconds: window };
}

export const collect = (value: string, previous: string[] = []) => [...previous, value];

export function statusText(out: Output, status: TokenView['status']): string {
  if (status === 'active') return out.color.green(status);
  if (status === 'disabled' || status === 'owner_inactive') return out.color.yellow(status);
  return out.color.red(status);
}

const rights = (t: TokenView) =>
  t.role_id ? `role ${t.role_name ?? t.role_id}` : t.scopes.join(' ') || '(none)';

export function tokenTable(out: Output, tokens: TokenView[], now: number) {
  out.table(
    ['ID', 'NAME', 'HINT', 'OWNER', 'RIGHTS', 'STATUS', 'CREATED', 'EXPIRES', 'LAST USED', 'USES', 'REFUSED'],
    tokens.map((t) => [
      t.id,
      t.name,
      t.hint,
      t.owner.id,
      rights(t),
      statusText(out, t.status),
      relativeTime(t.created_at, now),
      expiryText(t.expires_at, now),
      relativeTime(t.last_used_at, now),
      String(t.usage.admitted),
      String(t.usage.refused),
    ]),
  );
}

export function tokenFields(out: Output, t: TokenView, now: number) {
  const pairs: [string, string][] = [
    ['id', t.id],
    ['name', t.name],
    ['hint', t.hint],
    ['status', statusText(out, t.status)],
    ['kind', t.kind],
    ['owner', `${t.owner.type} ${t.owner.id}`],
    ['role', t.role_id ? `${t.role_name ?? '?'} (${t.role_id})` : '-'],
    ['scopes', t.scopes.join(', ') || '(none)'],
    ['created', `${t.created_at} (${relativeTime(t.created_at, now)})`],
    ['expires', t.expires_at ? `${t.expires_at} (${expiryText(t.expires_at, now)})` : 'never'],
    ['last used', t.last_used_at ? `${t.last_used_at} (${relativeTime(t.last_used_at, now)})` : 'never'],
    ['uses', `${t.usage.admitted} admitted, ${t.usage.refused} refused`],
  ];
  if (t.description) pairs.splice(2, 0, ['description', t.description]);
  if (t.rate_limits.length) {
    pairs.push(['rate limits', t.rate_limits.map((l) => `${l.limit}/${l.window_seconds}s`).join(', ')]);
  }
  if (t.allowed_ips?.length) pairs.push(['allowed IPs', t.allowed_ips.join(', ')]);
  if (t.metadata && Object.keys(t.metadata).length > 0) pairs.push(['metadata', JSON.stringify(t.metadata)]);
  if (t.last_rotated_at) pairs.push(['last rotated', t.last_rotated_at]);
  if (t.revoked_at)
    pairs.push(['revoked', `${t.revoked_at}${t.revoked_reason ? ` (${t.revoked_reason})` : ''}`]);
  out.fields(pairs);
}
