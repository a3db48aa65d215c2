import { TOKEN_PATTERN } from './token-format.ts';

/**
 * Token-shaped text: a Keyward token by its published shape (checksum not checked, so a typo is
 * still caught), or a legacy key by a generic rule. Pure; used to refuse tokens in URLs and to
 * redact them from stored paths and log lines.
 */
const KEYWARD_TOKEN = new RegExp(TOKEN_PATTERN);
const WORD = /[A-Za-z0-9_-]{24,}/g;
/** Every rule below needs this much in one run: most text is ruled out by this test alone. */
const CANDIDATE = /[A-Za-z0-9_-]{24}/;
const LONG_HEX = /(?:^|[^0-9a-f])([0-9a-f]{32,})(?![0-9a-f])/;
/** Query parameters whose name says the value is a credential, whatever it looks like. */
const CREDENTIAL_PARAMS = new Set(['access_token', 'token', 'api_key', 'apikey', 'api-key', 'key']);
/**
 * Query parameters Keyward itself fills with text that is no secret but looks random: base64url
 * pagination cursors, and an audit checkpoint's digests given to /v1/audit/verify.
 */
const OPAQUE_PARAMS = new Set(['cursor', 'head', 'mac']);

const MIN_ENTROPY_BITS = 3.5;
/** Random base62 switches class at ~44% of steps (not counting upper→lower); camelCase names ~20%. */
const MIN_CLASS_SWITCHES = 0.27;

function charClass(code: number): number {
  if (code >= 48 && code <= 57) return 0;
  if (code >= 65 && code <= 90) return 1;
  if (code >= 97 && code <= 122) return 2;
  return -1;
}

/**
 * A random-looking word: upper and lower case letters and digits, mixed like random text rather
 * than like a camelCase name (switching class often), with high per-character entropy. Ids
 * (lower-case Crockford base32) and Keyward's own cursors are never in a URL path this way.
 */
function isRandomLooking(word: string): boolean {
  const counts = new Map<string, number>();
  const seen = [false, false, false];
  let alnum = 0;
  let switches = 0;
  let previous = -1;
  for (let i = 0; i < word.length; i++) {
    const cls = charClass(word.charCodeAt(i));
    if (cls === -1) continue;
    seen[cls] = true;
    // Upper → lower is how every camelCase word starts: not a sign of randomness.
    if (previous !== -1 && cls !== previous && !(previous === 1 && cls === 2)) switches++;
    previous = cls;
    alnum++;
    const ch = word[i] as string;
    counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  if (!seen.every(Boolean) || alnum < 20 || switches / (alnum - 1) < MIN_CLASS_SWITCHES) return false;
  let entropy = 0;
  for (const n of counts.values()) entropy -= (n / alnum) * Math.log2(n / alnum);
  return entropy >= MIN_ENTROPY_BITS;
}

export function containsSecret(text: string): boolean {
  if (!CANDIDATE.test(text)) return false;
  if (KEYWARD_TOKEN.test(text)) return true;
  const hex = LONG_HEX.exec(text)?.[1];
  if (hex !== undefined && /[0-9]/.test(hex) && /[a-f]/.test(hex)) return true;
  for (const match of text.matchAll(WORD)) if (isRandomLooking(match[0])) return true;
  return false;
}

/** Percent-decoding that never throws: a malformed escape is searched as sent. */
function lenientDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export const REDACTED = '[redacted]';

/** A URL path with each segment that holds (even percent-encoded) a secret replaced by `[redacted]`. */
export function redactPath(path: string): string {
  if (!containsSecret(lenientDecode(path)) && !containsSecret(path)) return path;
  return path
    .split('/')
    .map((segment) => (containsSecret(lenientDecode(segment)) ? REDACTED : segment))
    .join('/');
}

/** Whether a request target (path and query, as sent) carries a token anywhere. */
export function urlCarriesSecret(url: string): boolean {
  const cut = url.indexOf('?');
  const path = cut === -1 ? url : url.slice(0, cut);
  if (containsSecret(lenientDecode(path))) return true;
  if (cut === -1) return false;
  for (const pair of url.slice(cut + 1).split('&')) {
    const eq = pair.indexOf('=');
    const name = lenientDecode((eq === -1 ? pair : pair.slice(0, eq)).replaceAll('+', ' '));
    const value = eq === -1 ? '' : lenientDecode(pair.slice(eq + 1).replaceAll('+', ' '));
    if (CREDENTIAL_PARAMS.has(name.toLowerCase()) || containsSecret(name)) return true;
    if (KEYWARD_TOKEN.test(value) || (!OPAQUE_PARAMS.has(name) && containsSecret(value))) return true;
  }
  return false;
}
