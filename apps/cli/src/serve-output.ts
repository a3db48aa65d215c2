import type { Colors } from './output.ts';

/** A pino record as it arrives on the log stream (only the fields the terminal shows). */
export type LogRecord = {
  level?: number;
  time?: number;
  msg?: string;
  res?: { statusCode?: number; method?: string; path?: string };
  responseTime?: number;
  err?: { message?: string; stack?: string };
};

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

// Fastify's own lines that the banner and the one-line request summary already say.
const SAID_ELSEWHERE = new Set(['incoming request']);
const LISTENING = /^Server listening at /;

const clock = (time: number | undefined) => new Date(time ?? Date.now()).toTimeString().slice(0, 8);

function paintStatus(status: number, color: Colors): string {
  const text = String(status);
  if (status >= 500) return color.red(text);
  if (status >= 400) return color.yellow(text);
  return color.green(text);
}

/** One terminal line for a log record, or null for a line the terminal does not need. */
export function formatLogRecord(record: LogRecord, color: Colors): string | null {
  const msg = record.msg ?? '';
  if (SAID_ELSEWHERE.has(msg) || LISTENING.test(msg)) return null;
  const time = color.dim(clock(record.time));
  const { res } = record;
  if (res?.method && res.statusCode !== undefined && res.path !== undefined) {
    const ms = record.responseTime === undefined ? '' : color.dim(` ${record.responseTime.toFixed(1)} ms`);
    const failure = record.err?.message ? ` ${color.red(record.err.message)}` : '';
    return `${time} ${paintStatus(res.statusCode, color)} ${res.method.padEnd(6)} ${res.path}${ms}${failure}`;
  }
  const level = record.level ?? 30;
  const name = LEVELS[level] ?? String(level);
  const label = level >= 50 ? color.red(name) : level >= 40 ? color.yellow(name) : color.dim(name);
  const detail = level >= 50 && record.err?.stack ? `\n${color.dim(record.err.stack)}` : '';
  return `${time} ${label} ${msg}${record.err?.message && !detail ? `: ${record.err.message}` : ''}${detail}`;
}

/** A pino destination that turns its JSON lines into terminal lines. */
export function terminalLogStream(write: (text: string) => void, color: Colors) {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) {
        if (!line) continue;
        let record: LogRecord;
        try {
          record = JSON.parse(line) as LogRecord;
        } catch {
          write(`${line}\n`);
          continue;
        }
        const text = formatLogRecord(record, color);
        if (text !== null) write(`${text}\n`);
      }
    },
  };
}

export type BannerFacts = {
  version: string;
  url: string;
  /** The address bound (`--host`). */
  host: string;
  dataLocation: string;
  setupCode: string | null;
  /** The `keyward init` command that reaches the same database. */
  initCommand: string;
};

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;
const WILDCARD = /^(0\.0\.0\.0|::|\[::\])$/;

/** Who can reach a server bound to `host`, in words. */
export function reachDescription(host: string): string {
  if (LOOPBACK.test(host)) return `${host} only (this machine); --host 0.0.0.0 opens it to the network`;
  if (WILDCARD.test(host)) return `every interface (${host}): other machines can reach it`;
  return `${host}: machines that reach this address can connect`;
}

/** The address people open in a browser: a wildcard bind is reached through loopback. */
export function browserUrl(host: string, port: number): string {
  if (WILDCARD.test(host)) return `http://127.0.0.1:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The start-up text for people at a terminal. */
export function startupBanner(facts: BannerFacts, color: Colors): string {
  const lines = [
    '',
    `  ${color.bold(`Keyward ${facts.version}`)} is running at ${color.bold(facts.url)}`,
    `  listening on  ${reachDescription(facts.host)}`,
    `  data          ${facts.dataLocation}`,
    '',
  ];
  if (facts.setupCode) {
    lines.push(
      `  No administrator yet. Setup code: ${color.bold(facts.setupCode)}`,
      '  Finish the setup in one of two ways:',
      `    1. open ${facts.url}/setup and enter the code`,
      `    2. or run ${color.bold(facts.initCommand)} in another terminal`,
      '',
    );
  }
  lines.push(color.dim('  Requests are logged below. Ctrl-C stops the server.'), '');
  return `${lines.join('\n')}\n`;
}

/** Where the data lives, with any password in a database URL left out. */
export function dataLocation(databaseUrl: string | undefined, dataDir: string): string {
  const value = databaseUrl?.trim() ?? '';
  if (value === '') return `${dataDir}/keyward.db (SQLite)`;
  try {
    const url = new URL(value);
    if (/^postgres(ql)?:$/i.test(url.protocol)) {
      url.password = '';
      return `${url.toString()} (PostgreSQL)`;
    }
  } catch {
    // Not a URL (e.g. sqlite:relative/path): shown as given below.
  }
  return `${value.replace(/^(?:sqlite|file):/i, '')} (SQLite)`;
}
