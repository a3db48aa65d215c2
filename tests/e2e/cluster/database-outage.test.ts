/**
 * A node on a private PostgreSQL that is stopped for a few seconds under load: the outage is
 * logged once when it begins and once when it ends (not once per 503), every answer meanwhile is a
 * 503 with Retry-After, and every error id handed out resolves once the database is back.
 */
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ErrorId } from '@keyward/core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from '../../../apps/server/test/harness.ts';
import { api } from './cluster.ts';
import { startPrivatePostgres } from './private-postgres.ts';

function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('a PostgreSQL outage of a few seconds under load', () => {
  let pgServer: Awaited<ReturnType<typeof startPrivatePostgres>>;
  let h: Harness;
  let url: string;
  const log = capturingLogger();

  beforeAll(async () => {
    pgServer = await startPrivatePostgres();
    h = await startHarness({
      database: 'postgres',
      postgresUrl: pgServer.url,
      logger: log.logger,
      config: { changeTrustWindowMs: 75, failedAuthRateLimits: 'none', defaultTokenRateLimits: 'none' },
    });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await h?.close().catch(() => {});
    await pgServer?.remove();
  });

  test('bounded log lines; every error id offered resolves after recovery', async () => {
    const created = await api(url, 'POST', '/v1/tokens', h.adminToken, {
      name: 'load',
      scopes: ['jobs:read'],
    });
    expect(created.status).toBe(201);
    const token = String(created.body.token);
    const linesBefore = log.lines.length;

    const statuses = new Map<number, number>();
    const errorIds = new Set<string>();
    let missingRetryAfter = 0;
    let running = true;
    // The gateway door answers with an empty body: its error id is in a header.
    const gateway = async (presented: string) => {
      const res = await fetch(`${url}/v1/authorize`, { headers: { authorization: `Bearer ${presented}` } });
      await res.arrayBuffer();
      const id = res.headers.get('x-keyward-error-id');
      return {
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: id ? { error_id: id } : {},
      };
    };
    const worker = async (n: number) => {
      while (running) {
        const res =
          n % 3 === 0
            ? await api(url, 'GET', '/v1/tokens', h.adminToken)
            : n % 3 === 1
              ? await api(url, 'GET', '/v1/me', token)
              : await gateway(`kw_unknown${n}${Math.random()}`);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) {
          if (!res.retryAfter) missingRetryAfter++;
          if (typeof res.body.error_id === 'string') errorIds.add(res.body.error_id);
        }
      }
    };
    const load = Promise.all(Array.from({ length: 12 }, (_, n) => worker(n)));
    await sleep(500);
    await pgServer.stop();
    await sleep(3_000);
    await pgServer.start();
    // Back: wait until the node answers from the database again, then a little longer for the buffer.
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(100)) {
      if ((await api(url, 'GET', '/v1/tokens', h.adminToken)).status === 200) break;
    }
    await sleep(1_500);
    running = false;
    await load;

    const outageLines = log.lines.slice(linesBefore);
    const warnOrWorse = outageLines.filter((l) => l.level >= 40);
    process.stdout.write(
      `statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${errorIds.size} error ids offered; ` +
        `${outageLines.length} log lines (${warnOrWorse.length} warn or worse): ` +
        `${JSON.stringify([...new Set(warnOrWorse.map((l) => l.msg))])}; ` +
        `records deferred ${h.deps.errorRecords.stats().deferred}, dropped ${h.deps.errorRecords.stats().dropped}\n`,
    );
    expect(statuses.get(503) ?? 0).toBeGreaterThan(20);
    expect([...statuses.keys()].filter((s) => s >= 500 && s !== 503)).toEqual([]);
    expect(missingRetryAfter).toBe(0);
    expect(outageLines.filter((l) => /database unavailable/.test(l.msg))).toHaveLength(1);
    expect(outageLines.filter((l) => /database available again/.test(l.msg))).toHaveLength(1);
    expect(outageLines.filter((l) => /request failed|could not store the error record/.test(l.msg))).toEqual(
      [],
    );
    expect(warnOrWorse.length).toBeLessThanOrEqual(6);
    expect(h.deps.errorRecords.stats().dropped).toBe(0);
    expect(errorIds.size).toBeGreaterThan(0);
    for (const id of errorIds) expect(await h.storage.errors.get(id as ErrorId), id).not.toBeNull();
  });
});
