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

/** Local time with a four-digit year and the time: "Dec 1, 2026, 14:05" / "1. Dez. 2026, 14:05". */
const DATE_TIME: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
};

/** The day alone ("Dec 1, 2026") and the time alone ("14:05"), for narrow table cells. */
export function formatDayAndTime(value: string): { day: string; time: string } | null {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  return {
    day: new Intl.DateTimeFormat(i18n.language, { year: 'numeric', month: 'short', day: 'numeric' }).format(
      date,
    ),
    time: new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' }).format(date),
  };
}

export function formatDate(value: string | number | null | undefined, fallback = '—'): string {
  if (value === null || value === undefined || value === '') return fallback;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(i18n.language, DATE_TIME).format(date);
}

const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * DAY_MS],
  ['month', 30 * DAY_MS],
  ['week', 7 * DAY_MS],
  ['day', DAY_MS],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "3 days ago", "in 2 hours", "now": shown next to the absolute date. */
export function formatRelative(value: string | null | undefined, now = Date.now()): string {
  if (!value) return '';
  const diff = Date.parse(value) - now;
  if (Number.isNaN(diff)) return '';
  const rtf = new Intl.RelativeTimeFormat(i18n.language, { numeric: 'auto' });
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(diff) >= size) return rtf.format(Math.round(diff / size), unit);
  }
  return rtf.format(0, 'minute');
}

/** Epoch milliseconds between 2001 and 2100: how the audit log's before/after carry timestamps. */
const EPOCH_MS_MIN = 978_307_200_000;
const EPOCH_MS_MAX = 4_102_444_800_000;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A value of a field named `…_at` (or an ISO instant) as a local date; anything else as JSON. */
export function formatChangeValue(field: string, value: unknown): string {
  if (value === undefined) return '∅';
  if (value === null) return '—';
  const timeField = /(_at|At)$/.test(field) || field === 'expires' || field.endsWith('_until');
  if (typeof value === 'number' && timeField && value >= EPOCH_MS_MIN && value <= EPOCH_MS_MAX)
    return formatDate(value);
  if (typeof value === 'string' && ISO_INSTANT.test(value)) return formatDate(value);
  return JSON.stringify(value);
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

/** The hint (`kw_…abcd`) as a masked value: the secret itself is never available again. */
export function maskedHint(hint: string): string {
  return hint.replace('…', '••••••••••••••••');
}
