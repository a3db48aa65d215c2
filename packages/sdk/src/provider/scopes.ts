// Keyward's scope rules (packages/core/src/scopes.ts), repeated here so the SDK has no dependency.
const PART = '(?:\\*|[a-z][a-z0-9_.-]{0,63})';
const SCOPE_RE = new RegExp(`^${PART}:${PART}$`);
const RESERVED_RESOURCE = 'keyward';

function covers(granted: string, required: string): boolean {
  if (!SCOPE_RE.test(granted) || !SCOPE_RE.test(required)) return false;
  const g = granted.indexOf(':');
  const r = required.indexOf(':');
  const [gRes, gAct] = [granted.slice(0, g), granted.slice(g + 1)];
  const [rRes, rAct] = [required.slice(0, r), required.slice(r + 1)];
  const resourceOk = gRes === rRes || (gRes === '*' && rRes !== RESERVED_RESOURCE);
  return resourceOk && (gAct === '*' || gAct === rAct);
}

/** The required scopes that `granted` does not cover (empty when all are covered). */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  return required.filter((r) => !granted.some((g) => covers(g, r)));
}

export function isValidScope(scope: string): boolean {
  return SCOPE_RE.test(scope);
}
