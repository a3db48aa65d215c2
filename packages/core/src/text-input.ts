/**
 * PostgreSQL text cannot hold U+0000 (SQLite can), so Keyward refuses it in every input: the same
 * answer on both databases, before anything is stored or searched.
 */
const NUL = '\u0000';

/** The path (e.g. `body.keys.0.name`) of the first string or key holding NUL, or null. */
export function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes(NUL) ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}.${key}`;
    if (key.includes(NUL)) return at.replaceAll(NUL, '\uFFFD');
    const found = findNul(item, at);
    if (found !== null) return found;
  }
  return null;
}

/** Whether a request target holds NUL, literally or as `%00`. */
export function urlHasNul(url: string): boolean {
  return url.includes(NUL) || url.includes('%00');
}
