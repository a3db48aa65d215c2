import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { BASE62_CHARS, base62Width, bytesToBigInt, encodeBase62 } from './base62.ts';

export const SECRET_BYTES = 32;
export const SECRET_LENGTH = base62Width(SECRET_BYTES); // 43
export const CHECKSUM_LENGTH = 6; // 62^6 > 2^32
export const DEFAULT_TOKEN_PREFIX = 'kw';

const PREFIX_PART = '[a-z][a-z0-9]{1,15}';
/** A prefix is a name, optionally followed by an environment: `kw`, `acme`, `acme_live`. */
export const TOKEN_PREFIX_PATTERN = `^${PREFIX_PART}(?:_${PREFIX_PART})?$`;
const PREFIX_RE = new RegExp(TOKEN_PREFIX_PATTERN);

/** The published pattern, for secret scanners. */
export const TOKEN_PATTERN = `\\b(${PREFIX_PART}(?:_${PREFIX_PART})?)_([${BASE62_CHARS}]{${SECRET_LENGTH + CHECKSUM_LENGTH}})\\b`;

const BODY_RE = new RegExp(`^[${BASE62_CHARS}]{${SECRET_LENGTH + CHECKSUM_LENGTH}}$`);

export type ParsedToken = { prefix: string; hint: string };

export type TokenParseResult =
  | { ok: true; token: ParsedToken }
  | { ok: false; reason: 'EMPTY' | 'TOO_LONG' | 'BAD_SHAPE' | 'BAD_PREFIX' | 'BAD_CHECKSUM' };

export const MAX_TOKEN_LENGTH = 512;

export function isValidPrefix(prefix: string): boolean {
  return PREFIX_RE.test(prefix);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** CRC32 in six base62 characters; plain number arithmetic, since this runs on every request. */
function checksumOf(text: string): string {
  let rest = crc32(text);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/** Formats a token from raw secret bytes; callers pass `randomBytes(SECRET_BYTES)`. */
export function formatToken(prefix: string, secret: Uint8Array): string {
  if (!isValidPrefix(prefix)) throw new RangeError(`invalid token prefix: ${prefix}`);
  if (secret.length !== SECRET_BYTES) throw new RangeError(`secret must be ${SECRET_BYTES} bytes`);
  const head = `${prefix}_${encodeBase62(bytesToBigInt(secret), SECRET_LENGTH)}`;
  return head + checksumOf(head);
}

export function generateToken(prefix: string = DEFAULT_TOKEN_PREFIX): string {
  return formatToken(prefix, randomBytes(SECRET_BYTES));
}

/** The hint shown in lists: the prefix and the last four characters. */
export function tokenHint(token: string): string {
  const cut = token.lastIndexOf('_');
  const prefix = token.slice(0, Math.max(cut, 0));
  // Only a Keyward-shaped token has a public prefix; an imported key shows its last four characters only.
  if (cut > 0 && isValidPrefix(prefix) && BODY_RE.test(token.slice(cut + 1)))
    return `${prefix}_…${token.slice(-4)}`;
  return `…${token.slice(-4)}`;
}

/**
 * Parses from the right: the body after the last `_` has a fixed length and alphabet without `_`,
 * so underscores inside the prefix never confuse it. Pure: no hashing, no I/O.
 */
export function parseToken(token: string): TokenParseResult {
  if (token.length === 0) return { ok: false, reason: 'EMPTY' };
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'TOO_LONG' };
  const cut = token.lastIndexOf('_');
  if (cut <= 0) return { ok: false, reason: 'BAD_SHAPE' };
  const prefix = token.slice(0, cut);
  const body = token.slice(cut + 1);
  if (!BODY_RE.test(body)) return { ok: false, reason: 'BAD_SHAPE' };
  if (!isValidPrefix(prefix)) return { ok: false, reason: 'BAD_PREFIX' };
  const head = token.slice(0, token.length - CHECKSUM_LENGTH);
  if (checksumOf(head) !== token.slice(-CHECKSUM_LENGTH)) return { ok: false, reason: 'BAD_CHECKSUM' };
  return { ok: true, token: { prefix, hint: `${prefix}_…${token.slice(-4)}` } };
}

/** Keys imported from other systems (env files) keep their own shape; these are the rules they must meet. */
export const LEGACY_KEY_MIN_LENGTH = 16;
const LEGACY_KEY_RE = /^[\x21-\x7e]+$/;

export function isAcceptableLegacyKey(key: string): boolean {
  if (key.length < LEGACY_KEY_MIN_LENGTH || key.length > MAX_TOKEN_LENGTH || !LEGACY_KEY_RE.test(key))
    return false;
  // A Keyward-shaped token with a wrong checksum is a typo, never a legacy key worth a database read.
  const parsed = parseToken(key);
  return parsed.ok || parsed.reason !== 'BAD_CHECKSUM';
}
