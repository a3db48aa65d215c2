import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { selfCommand } from '../src/commands/server-options.ts';
import { colors } from '../src/output.ts';
import {
  browserUrl,
  dataLocation,
  formatLogRecord,
  reachDescription,
  startupBanner,
  terminalLogStream,
} from '../src/serve-output.ts';

const plain = colors(false);
const at = new Date(2026, 0, 2, 9, 5, 7).getTime();

describe('terminal log lines', () => {
  test('a completed request is one line: time, status, method, path, duration', () => {
    const line = formatLogRecord(
      {
        level: 30,
        time: at,
        msg: 'request completed',
        res: { statusCode: 404, method: 'GET', path: '/v1/x' },
        responseTime: 3.14,
      },
      plain,
    );
    expect(line).toBe('09:05:07 404 GET    /v1/x 3.1 ms');
  });

  test('the incoming-request and listening lines are left to the banner and the request line', () => {
    expect(formatLogRecord({ level: 30, msg: 'incoming request' }, plain)).toBeNull();
    expect(
      formatLogRecord({ level: 30, msg: 'Server listening at http://127.0.0.1:8080' }, plain),
    ).toBeNull();
  });

  test('other records keep their level and message; errors their stack', () => {
    expect(formatLogRecord({ level: 40, time: at, msg: 'Redis unreachable' }, plain)).toBe(
      '09:05:07 WARN Redis unreachable',
    );
    const error = formatLogRecord(
      { level: 50, time: at, msg: 'purge failed', err: { message: 'boom', stack: 'Error: boom\n    at x' } },
      plain,
    );
    expect(error).toBe('09:05:07 ERROR purge failed\nError: boom\n    at x');
  });

  test('the stream turns each JSON line of a chunk into a terminal line', () => {
    const out: string[] = [];
    const stream = terminalLogStream((text) => out.push(text), plain);
    stream.write(
      `${JSON.stringify({ level: 30, time: at, msg: 'incoming request' })}\n${JSON.stringify({ level: 30, time: at, msg: 'shutting down' })}\n`,
    );
    expect(out).toEqual(['09:05:07 INFO shutting down\n']);
  });
});

describe('start-up banner', () => {
  test('says who can reach the server', () => {
    expect(reachDescription('127.0.0.1')).toContain('only (this machine)');
    expect(reachDescription('0.0.0.0')).toContain('other machines can reach it');
    expect(browserUrl('0.0.0.0', 8080)).toBe('http://127.0.0.1:8080');
    expect(browserUrl('::1', 8080)).toBe('http://[::1]:8080');
  });

  test('an empty database gets the setup code and both ways to finish; an initialised one neither', () => {
    const facts = {
      version: '0.1.0',
      url: 'http://127.0.0.1:8080',
      host: '127.0.0.1',
      dataLocation: '/d/keyward.db (SQLite)',
      initCommand: 'npx keyward init',
    };
    const fresh = startupBanner({ ...facts, setupCode: '1234-5678' }, plain);
    expect(fresh).toContain('Setup code: 1234-5678');
    expect(fresh).toContain('open http://127.0.0.1:8080/setup');
    expect(fresh).toContain('run npx keyward init');
    const ready = startupBanner({ ...facts, setupCode: null }, plain);
    expect(ready).not.toContain('Setup code');
    expect(ready).toContain('/d/keyward.db (SQLite)');
  });

  test('a database URL is shown without its password', () => {
    const shown = dataLocation('postgres://kw:s3cret-pass@db.example:5432/keyward', '/data');
    expect(shown).toBe('postgres://kw@db.example:5432/keyward (PostgreSQL)');
    expect(dataLocation(undefined, '/data')).toBe('/data/keyward.db (SQLite)');
    expect(dataLocation('sqlite:/srv/k.db', '/data')).toBe('/srv/k.db (SQLite)');
  });
});

describe('the command printed for next steps', () => {
  test('is npx keyward from a clone, keyward when the CLI is installed elsewhere', () => {
    expect(selfCommand(join(process.cwd(), 'apps/cli/bin/keyward.js'))).toBe('npx keyward');
    expect(selfCommand('/usr/local/lib/node_modules/keyward/bin/keyward.js')).toBe('keyward');
  });
});
