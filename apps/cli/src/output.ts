import { selectFields } from './json-fields.ts';

/** Human tables and machine JSON on stdout; notes and warnings on stderr; colour only on a terminal. */
export type Output = {
  readonly json: boolean;
  /** Writes a JSON document (machine mode) to stdout. */
  data(value: unknown): void;
  line(text?: string): void;
  /** Progress and hints for humans: stderr, so stdout stays parseable. */
  note(text: string): void;
  table(headers: string[], rows: string[][]): void;
  /** Aligned `label: value` pairs. */
  fields(pairs: [string, string][]): void;
  color: Colors;
};

type Paint = (text: string) => string;
export type Colors = { bold: Paint; dim: Paint; green: Paint; red: Paint; yellow: Paint };

const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const plain: Paint = (text) => text;

export function colors(enabled: boolean): Colors {
  if (!enabled) return { bold: plain, dim: plain, green: plain, red: plain, yellow: plain };
  return { bold: sgr(1, 22), dim: sgr(2, 22), green: sgr(32, 39), red: sgr(31, 39), yellow: sgr(33, 39) };
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const width = (text: string) => [...text.replace(ANSI, '')].length;
const pad = (text: string, size: number) => text + ' '.repeat(Math.max(0, size - width(text)));

export function createOutput(options: { json: boolean; color: boolean; fields?: readonly string[] }): Output {
  const color = colors(options.color && !options.json);
  const write = (text: string) => process.stdout.write(text);
  const { fields } = options;
  return {
    json: options.json,
    color,
    data: (value) => write(`${JSON.stringify(fields ? selectFields(value, fields) : value, null, 2)}\n`),
    line: (text = '') => write(`${text}\n`),
    note: (text) => process.stderr.write(`${text}\n`),
    table(headers, rows) {
      const sizes = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
      const render = (cells: string[]) =>
        cells
          .map((cell, i) => (i === cells.length - 1 ? cell : pad(cell, sizes[i] ?? 0)))
          .join('  ')
          .trimEnd();
      write(`${color.bold(render(headers))}\n`);
      for (const row of rows) write(`${render(row)}\n`);
    },
    fields(pairs) {
      const size = Math.max(0, ...pairs.map(([label]) => width(label)));
      for (const [label, value] of pairs) write(`${pad(`${label}:`, size + 1)} ${value}\n`);
    },
  };
}

/** Whether stdout may carry colour: a terminal, and neither NO_COLOR nor --no-color. */
export const colorWanted = (noColorEnv: boolean, flag: boolean) =>
  flag && !noColorEnv && process.stdout.isTTY === true;

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** `29d 23h`: the two largest non-zero units of a duration. */
export function formatDuration(ms: number): string {
  let rest = Math.abs(ms);
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0 || (unit === 's' && parts.length === 0)) parts.push(`${n}${unit}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** `in 3d 4h`, `2h 5m ago`, or the fallback for a missing time. */
export function relativeTime(iso: string | null, now: number, missing = 'never'): string {
  if (iso === null) return missing;
  const delta = Date.parse(iso) - now;
  return delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(delta)} ago`;
}

export function expiryText(iso: string | null, now: number): string {
  if (iso === null) return 'never';
  const delta = Date.parse(iso) - now;
  return delta > 0 ? `in ${formatDuration(delta)}` : `expired ${formatDuration(delta)} ago`;
}

/** Parses `90s`, `15m`, `12h`, `30d`, `2w` or plain seconds into seconds. */
export function parseDurationSeconds(text: string): number | null {
  const match = /^(\d+)\s*([smhdw]?)$/.exec(text.trim());
  if (!match) return null;
  const n = Number(match[1]);
  const factor = { '': 1, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[match[2] ?? ''] ?? 1;
  return n * factor;
}
