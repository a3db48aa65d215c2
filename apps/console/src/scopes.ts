/**
 * Scope coverage as the server computes it (`resource:action`, either part may be `*`; the
 * reserved `keyward` resource is not reached by a `*` resource). The console only uses it to
 * offer what the signed-in user may grant; the server decides.
 */
const PART = '(?:\\*|[a-z][a-z0-9_.-]{0,63})';
const SCOPE_RE = new RegExp(`^${PART}:${PART}$`);
const RESERVED_RESOURCE = 'keyward';

export function isValidScope(scope: string): boolean {
  return SCOPE_RE.test(scope);
}

function split(scope: string): [string, string] {
  const cut = scope.indexOf(':');
  return [scope.slice(0, cut), scope.slice(cut + 1)];
}

export function scopeCovers(granted: string, required: string): boolean {
  if (!isValidScope(granted) || !isValidScope(required)) return false;
  const [gRes, gAct] = split(granted);
  const [rRes, rAct] = split(required);
  const resourceOk = gRes === rRes || (gRes === '*' && rRes !== RESERVED_RESOURCE);
  return resourceOk && (gAct === '*' || gAct === rAct);
}

/** Whether every scope in `required` is covered by one in `granted`. */
export function holdsAll(granted: readonly string[], required: readonly string[]): boolean {
  return required.every((r) => granted.some((g) => scopeCovers(g, r)));
}

/** Keyward's own management scopes, offered in the scope pickers. */
export const MANAGEMENT_SCOPES = [
  'tokens:read',
  'tokens:write',
  'tokens:verify',
  'errors:read',
  'audit:read',
  'members:read',
  'members:write',
  'roles:read',
  'roles:write',
  'service_accounts:read',
  'service_accounts:write',
  'projects:admin',
  'usage:read',
] as const;
