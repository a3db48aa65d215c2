/**
 * A strict reader for the RateLimit-Policy and RateLimit fields (draft-ietf-httpapi-ratelimit-headers):
 * RFC 8941 lists of sf-string items with integer parameters, e.g. `"token-60s";q=100;w=60, …`.
 * Anything else fails the test that reads it.
 */
export type FieldItem = { name: string; params: Record<string, number> };

const ITEM = /^"((?:[^"\\]|\\["\\])*)"((?:;[a-z*][a-z0-9_.*-]*=-?\d{1,15})*)$/;

export function parseRateLimitField(value: string | string[] | number | undefined): FieldItem[] {
  if (typeof value !== 'string') throw new Error(`expected one header value, got ${String(value)}`);
  return splitList(value).map((member) => {
    const match = ITEM.exec(member);
    if (!match) throw new Error(`not an sf-string item with integer parameters: ${member}`);
    const params: Record<string, number> = {};
    for (const param of (match[2] ?? '').split(';').slice(1)) {
      const [key = '', raw = ''] = param.split('=');
      if (key in params) throw new Error(`duplicate parameter ${key} in ${member}`);
      params[key] = Number(raw);
    }
    return { name: (match[1] ?? '').replace(/\\(["\\])/g, '$1'), params };
  });
}

/** Splits an RFC 8941 list at commas outside strings; members are trimmed of optional whitespace. */
function splitList(value: string): string[] {
  const members: string[] = [];
  let current = '';
  let inString = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (inString && c === '\\') {
      current += c + (value[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === ',' && !inString) {
      members.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  members.push(current.trim());
  if (members.some((m) => m === '')) throw new Error(`empty list member in ${value}`);
  return members;
}

/** The RateLimit-Policy and RateLimit fields of a response, joined by policy name. */
export function rateLimitFields(headers: Record<string, string | string[] | number | undefined>) {
  const policies = parseRateLimitField(headers['ratelimit-policy']);
  const states = parseRateLimitField(headers.ratelimit);
  if (policies.map((p) => p.name).join() !== states.map((s) => s.name).join())
    throw new Error('RateLimit and RateLimit-Policy list different policies');
  return policies.map((p, i) => ({
    name: p.name,
    quota: p.params.q,
    window: p.params.w,
    remaining: states[i]?.params.r,
    reset: states[i]?.params.t,
  }));
}
