/**
 * `--json id,name,status` (as `gh` does): the listed fields of each object, in that order.
 * Commander cannot tell `--json tokens` (a flag, then a command) from `--json id`, so a field list
 * is recognised only after `=` or when it contains a comma; argv is rewritten to `--json-fields`.
 */
export function splitJsonFields(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (arg.startsWith('--json=')) out.push('--json', '--json-fields', arg.slice('--json='.length));
    else if (arg === '--json' && next !== undefined && /^[a-z_.]+(,[a-z_.]+)+$/.test(next)) {
      out.push('--json', '--json-fields', next);
      i++;
    } else out.push(arg);
  }
  return out;
}

export function parseFieldList(text: string): string[] {
  const fields = text.split(',').map((f) => f.trim());
  if (fields.some((f) => !/^[a-z_][a-z0-9_.]*$/.test(f))) {
    throw new Error(`--json: expected field names like id,name,status, got "${text}"`);
  }
  return fields;
}

const pick = (value: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (node, key) =>
        node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined,
      value,
    );

function selectOne(value: unknown, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f, pick(value, f) ?? null]));
}

/** A page (`{data: [...]}`) or an array becomes an array of selections; an object, one selection. */
export function selectFields(value: unknown, fields: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => selectOne(item, fields));
  if (value !== null && typeof value === 'object' && Array.isArray((value as { data?: unknown }).data)) {
    return (value as { data: unknown[] }).data.map((item) => selectOne(item, fields));
  }
  return selectOne(value, fields);
}
