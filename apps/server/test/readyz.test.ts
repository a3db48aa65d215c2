import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, test } from 'vitest';
import { call, type Harness, startHarness } from './harness.ts';
import { startTcpProxy } from './tcp-proxy.ts';

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), lines };
}

/**
 * The outage answer: 503 with Retry-After and an error id; the outage is logged once (not the id
 * per answer) and the record waits in memory for the database (ADR 0007).
 */
async function expectOutageAnswer(h: Harness, lines: Record<string, unknown>[]) {
  const res = await call(h.app, 'GET', '/readyz', null);
  expect(res.status).toBe(503);
  expect(res.body.code).toBe('DATABASE_UNAVAILABLE');
  expect(res.headers['retry-after']).toBe('5');
  expect(lines.filter((l) => /database unavailable/.test(String(l.msg)))).toHaveLength(1);
  expect(h.deps.errorRecords.stats().waiting).toBeGreaterThan(0);
  return res.body.error_id as string;
}

describe('/readyz during a database outage', () => {
  test('PostgreSQL partitioned (connections open, nothing answers): 503, not a wait on an error record', async () => {
    const proxy = await startTcpProxy(5432);
    const { logger, lines } = capturedLogger();
    const h = await startHarness({
      database: 'postgres',
      postgresUrl: `postgres://postgres@127.0.0.1:${proxy.port}/test`,
      config: { readinessTimeoutMs: 200 },
      logger,
    });
    try {
      expect((await call(h.app, 'GET', '/readyz', null)).status).toBe(200);
      proxy.stall();
      // Before, the ping and then the error-record write waited on the stalled pool for ever.
      const errorId = await expectOutageAnswer(h, lines);
      await proxy.stop();
      await proxy.start();
      // Back without a restart (new connections through the proxy; the readiness timeout is short).
      for (
        const until = Date.now() + 15_000;
        Date.now() < until;
        await new Promise((r) => setTimeout(r, 100))
      ) {
        if ((await call(h.app, 'GET', '/readyz', null)).status === 200) break;
      }
      expect((await call(h.app, 'GET', '/readyz', null)).status).toBe(200);
      // Written once the database is back: the id the caller got resolves.
      for (
        const until = Date.now() + 15_000;
        Date.now() < until;
        await new Promise((r) => setTimeout(r, 100))
      ) {
        if (await h.storage.errors.get(errorId as never)) break;
      }
      expect(await h.storage.errors.get(errorId as never)).not.toBeNull();
    } finally {
      await proxy.stop();
      await proxy.start();
      await h.close();
      await proxy.stop();
    }
  });

  test('PostgreSQL refusing connections: 503 at once', async () => {
    const proxy = await startTcpProxy(5432);
    const { logger, lines } = capturedLogger();
    const h = await startHarness({
      database: 'postgres',
      postgresUrl: `postgres://postgres@127.0.0.1:${proxy.port}/test`,
      logger,
    });
    try {
      await proxy.stop();
      await expectOutageAnswer(h, lines);
    } finally {
      await proxy.start();
      await h.close();
      await proxy.stop();
    }
  });

  // SQLite runs in-process: nothing outside can cut an open connection, so the outage here is the
  // database handle itself going away (as when its file cannot be opened).
  test('SQLite whose database is gone: 503', async () => {
    const { logger, lines } = capturedLogger();
    const h = await startHarness({ database: 'sqlite', logger });
    try {
      expect((await call(h.app, 'GET', '/readyz', null)).status).toBe(200);
      await h.storage.close();
      await expectOutageAnswer(h, lines);
    } finally {
      await h.close().catch(() => undefined);
    }
  });
});
