/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) for the JSON data model: no whitespace, strings and
 * numbers serialized as ECMAScript's JSON.stringify does (RFC 8785 §3.2.2), object members sorted
 * by the UTF-16 code units of their names (§3.2.3), which is JavaScript's default string order.
 * Values JSON cannot carry (non-finite numbers, bigint, functions, undefined in arrays) are refused
 * rather than silently changed, so two parties can never canonicalize one value differently.
 */
export function canonicalize(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('JCS: numbers must be finite');
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`JCS: a ${typeof value} is not JSON`);
  }
  if (Array.isArray(value)) {
    return `[${value
      .map((item) => {
        if (item === undefined) throw new TypeError('JCS: arrays must not hold undefined');
        return canonicalize(item);
      })
      .join(',')}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new TypeError('JCS: only plain objects are JSON');
  const names = Object.keys(value)
    .filter((name) => (value as Record<string, unknown>)[name] !== undefined)
    .sort();
  const members = names.map(
    (name) => `${JSON.stringify(name)}:${canonicalize((value as Record<string, unknown>)[name])}`,
  );
  return `{${members.join(',')}}`;
}
