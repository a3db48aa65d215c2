/** One `<NAME>_API_KEYS=…` list of an env file, with where each key came from. */
export type KeyList = { variable: string; group: string; line: number; keys: string[] };

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)_API_KEYS\s*=\s*(.*)$/;

/** Splits `"a", 'b', c` into items, honouring quotes (JSON escapes inside double quotes). */
function splitItems(text: string, where: string): string[] {
  const items: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  };
  while (i < text.length) {
    skipSpace();
    if (i >= text.length) break;
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      let end = i + 1;
      while (end < text.length && text[end] !== quote) end += text[end] === '\\' && quote === '"' ? 2 : 1;
      if (end >= text.length) throw new SyntaxError(`${where}: unterminated ${quote} quote`);
      const raw = text.slice(i, end + 1);
      items.push(quote === '"' ? (JSON.parse(raw) as string) : raw.slice(1, -1));
      i = end + 1;
      skipSpace();
      if (i < text.length && text[i] !== ',')
        throw new SyntaxError(`${where}: expected "," after a quoted key`);
      i++;
    } else {
      const end = text.indexOf(',', i);
      const item = (end === -1 ? text.slice(i) : text.slice(i, end)).trim();
      if (item) items.push(item);
      i = end === -1 ? text.length : end + 1;
    }
  }
  return items;
}

function stripComment(value: string): string {
  // A `#` outside quotes starts a comment, as in shell and dotenv files.
  let quote: string | null = null;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(value[i - 1] ?? ''))) return value.slice(0, i);
  }
  return value;
}

/**
 * Reads `CLIENT_API_KEYS=["…","…"]`-style lines: JSON arrays, single-quoted arrays, arrays over
 * several lines, and comma lists (bare or quoted as one string). Other lines are ignored.
 */
export function parseEnvKeyLists(content: string): KeyList[] {
  const lines = content.split(/\r?\n/);
  const lists: KeyList[] = [];
  for (let n = 0; n < lines.length; n++) {
    const match = ASSIGNMENT.exec(lines[n] ?? '');
    if (!match) continue;
    const variable = `${match[1]}_API_KEYS`;
    const where = `line ${n + 1} (${variable})`;
    const first = n + 1;
    let value = stripComment(match[2] ?? '').trim();
    if (value.startsWith('[')) {
      const start = n;
      while (!value.endsWith(']')) {
        n++;
        if (n >= lines.length) throw new SyntaxError(`line ${start + 1} (${variable}): "[" is never closed`);
        value += `\n${stripComment(lines[n] ?? '').trim()}`;
      }
      value = value.slice(1, -1);
    } else if (/^(["']).*\1$/s.test(value) && value.length >= 2) {
      value = value.slice(1, -1);
    }
    lists.push({ variable, group: match[1] ?? '', line: first, keys: splitItems(value, where) });
  }
  return lists;
}
