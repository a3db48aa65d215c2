import i18n from './i18n/index.ts';
import type { TokenStatus, TokenView } from './types.ts';

export const DAY_MS = 86_400_000;
export const EXPIRING_SOON_MS = 7 * DAY_MS;

export type DisplayStatus = TokenStatus | 'expiring';

/** The status shown in the console: the API's, with "expiring soon" for active tokens within 7 days. */
export function displayStatus(
  token: Pick<TokenView, 'status' | 'expires_at'>,
  now = Date.now(),
): DisplayStatus {
  if (token.status !== 'active') return token.status;
  if (token.expires_at !== null && Date.parse(token.expires_at) - now <= EXPIRING_SOON_MS) return 'expiring';
  return 'active';
}

export function formatDate(value: string | null | undefined, fallback = '—'): string {
  if (!value) return fallback;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(i18n.language).format(value);
}

/** `tok_…k3f2a9xq`: ids start with a timestamp, so the recognisable part is the end. */
export function partialId(id: string, keep = 8): string {
  const cut = id.indexOf('_');
  const body = id.slice(cut + 1);
  return body.length > keep + 2 ? `${id.slice(0, cut + 1)}…${body.slice(-keep)}` : id;
}

/** A date without the time, for dense tables (the full value is in the title). */
export function formatDay(value: string | null | undefined, fallback = '—'): string {
  if (!value) return fallback;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short' }).format(date);
}

/** The hint (`kw_…abcd`) as a masked value: the secret itself is never available again. */
export function maskedHint(hint: string): string {
  return hint.replace('…', '••••••••••••••••');
}
