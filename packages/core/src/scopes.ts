/** A scope is `resource:action`; either part may be `*`. A token with no scopes can do nothing. */
export type Scope = string;

const PART = '(?:\\*|[a-z][a-z0-9_.-]{0,63})';
export const SCOPE_PATTERN = `^${PART}:${PART}$`;
const SCOPE_RE = new RegExp(SCOPE_PATTERN);

export function isValidScope(scope: string): boolean {
  return SCOPE_RE.test(scope);
}

function split(scope: Scope): [string, string] {
  const cut = scope.indexOf(':');
  return [scope.slice(0, cut), scope.slice(cut + 1)];
}

/**
 * Keyward's instance-wide scopes (`keyward:admin`) live under a reserved resource that a `*`
 * resource does not reach, so a project owner's `*:*` never makes them an instance administrator.
 */
export const RESERVED_RESOURCE = 'keyward';

/** Whether `granted` covers `required`; a wildcard in `required` is only covered by a wildcard. */
export function scopeCovers(granted: Scope, required: Scope): boolean {
  if (!isValidScope(granted) || !isValidScope(required)) return false;
  const [gRes, gAct] = split(granted);
  const [rRes, rAct] = split(required);
  const resourceOk = gRes === rRes || (gRes === '*' && rRes !== RESERVED_RESOURCE);
  return resourceOk && (gAct === '*' || gAct === rAct);
}

export function isCovered(required: Scope, granted: readonly Scope[]): boolean {
  return granted.some((g) => scopeCovers(g, required));
}

/** The required scopes that `granted` does not cover (empty when all are covered). */
export function missingScopes(granted: readonly Scope[], required: readonly Scope[]): Scope[] {
  return required.filter((r) => !isCovered(r, granted));
}

/** The narrowest common scope of two scopes, or null when they share nothing. */
function meet(a: Scope, b: Scope): Scope | null {
  if (!isValidScope(a) || !isValidScope(b)) return null;
  const [aRes, aAct] = split(a);
  const [bRes, bAct] = split(b);
  const res =
    aRes === bRes
      ? aRes
      : aRes === '*' && bRes !== RESERVED_RESOURCE
        ? bRes
        : bRes === '*' && aRes !== RESERVED_RESOURCE
          ? aRes
          : null;
  const act = aAct === '*' ? bAct : bAct === '*' || bAct === aAct ? aAct : null;
  return res === null || act === null ? null : `${res}:${act}`;
}

/** Removes scopes covered by another in the set and sorts, so equal sets compare equal. */
export function normalizeScopes(scopes: readonly Scope[]): Scope[] {
  const unique = [...new Set(scopes)];
  return unique.filter((s) => !unique.some((o) => o !== s && scopeCovers(o, s))).sort();
}

/** What two scope sets both allow: a user token's effective rights are its scopes ∩ its user's. */
export function intersectScopes(a: readonly Scope[], b: readonly Scope[]): Scope[] {
  const out: Scope[] = [];
  for (const x of a) {
    for (const y of b) {
      const m = meet(x, y);
      if (m !== null) out.push(m);
    }
  }
  return normalizeScopes(out);
}
