import { createHash } from 'node:crypto';
import { canonicalize } from '@keyward/core';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { call, type Harness, PG_URL, sessionHeaders, startHarness, tokenWithScopes } from './harness.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** A writer with database access and no key: runs statements straight against the tables. */
async function writeDirectly(harness: Harness, statements: string[]) {
  if (harness.schema === null) {
    const db = new Database(`${harness.dataDir}/keyward.db`);
    for (const statement of statements) db.prepare(statement).run();
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`set search_path to ${harness.schema}`);
  for (const statement of statements) await client.query(statement);
  await client.end();
}

const verify = async (harness: Harness, query = '') =>
  (await call(harness.app, 'GET', `/v1/audit/verify${query}`, harness.adminToken)).body;

async function someEvents(harness: Harness) {
  for (let i = 0; i < 3; i++)
    await call(harness.app, 'POST', '/v1/tokens', harness.adminToken, {
      name: `t${i}`,
      scopes: ['jobs:read'],
    });
}

async function lastEvent(harness: Harness) {
  const res = await call(harness.app, 'GET', '/v1/audit?limit=1', harness.adminToken);
  return res.body.data[0] as Record<string, unknown> & { seq: number; hash: string; prev_hash: string };
}

describe.each([
  'sqlite',
  'postgres',
] as const)('the audit chain against a database writer (%s)', (database) => {
  it('exports events a verifier can recompute: HMAC over the RFC 8785 form without `hash`', async () => {
    h = await startHarness({ database });
    await someEvents(h);
    const last = await lastEvent(h);
    const { hash, ...record } = last;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(record).toMatchObject({ count: 1, key_version: 1 });
    expect(h.deps.auditKeys.eventMac(record as never)).toBe(hash);
    expect((await verify(h)).ok).toBe(true);
  });

  it('fails when the last event is rewritten and its hash and the head recomputed with plain SHA-256', async () => {
    h = await startHarness({ database });
    await someEvents(h);
    const last = await lastEvent(h);
    const { hash: _old, ...record } = last;
    const forged = createHash('sha256')
      .update(canonicalize({ ...record, action: 'token.viewed' }))
      .digest('hex');
    await writeDirectly(h, [
      `update audit_events set action = 'token.viewed', hash = '${forged}' where seq = ${last.seq}`,
      `update audit_chain_head set last_hash = '${forged}'`,
    ]);
    expect(await verify(h)).toMatchObject({ ok: false, broken_at_seq: last.seq, reason: 'mac_mismatch' });
  });

  it('fails when the chain is cut short (head rewritten to match) relative to a checkpoint', async () => {
    h = await startHarness({ database });
    await someEvents(h);
    const checkpoint = (await call(h.app, 'GET', '/v1/audit/checkpoint', h.adminToken)).body;
    const last = await lastEvent(h);
    expect(checkpoint).toMatchObject({ seq: last.seq, head: last.hash, key_version: 1 });
    expect(await verify(h)).toMatchObject({ ok: true, checkpoints_checked: 1 });

    await writeDirectly(h, [
      `delete from audit_events where seq = ${last.seq}`,
      `update audit_chain_head set last_seq = ${last.seq - 1}, last_hash = '${last.prev_hash}'`,
    ]);
    // This node remembers its latest checkpoint outside the database...
    expect(await verify(h)).toMatchObject({ ok: false, broken_at_seq: last.seq, reason: 'truncated' });
    // ...and a checkpoint kept elsewhere catches it on any node.
    h.deps.auditCheckpoints.latest = () => null;
    expect((await verify(h)).ok).toBe(true);
    const query = `?${new URLSearchParams(Object.entries(checkpoint).map(([k, v]) => [k, String(v)]))}`;
    expect(await verify(h, query)).toMatchObject({ ok: false, reason: 'truncated', checkpoints_checked: 1 });

    const edited = query.replace(`seq=${checkpoint.seq}`, `seq=${checkpoint.seq - 1}`);
    const refused = await call(h.app, 'GET', `/v1/audit/verify${edited}`, h.adminToken);
    expect(refused).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('keeps floods of refusals to one event with a count (CSRF failures, refused changes)', async () => {
    h = await startHarness({ database });
    const session = await sessionHeaders(h);
    for (let i = 0; i < 10; i++) {
      const res = await call(
        h.app,
        'POST',
        '/v1/tokens',
        null,
        { name: 'x', scopes: ['jobs:read'] },
        {
          cookie: session.cookie,
          'x-csrf-token': 'wrong',
        },
      );
      expect(res.status).toBe(403);
    }
    const narrow = await tokenWithScopes(h, ['tokens:read', 'tokens:write']);
    for (let i = 0; i < 4; i++) {
      const res = await call(h.app, 'POST', '/v1/tokens', narrow.token, { name: 'wide', scopes: ['*:*'] });
      expect(res.status).toBe(403);
    }
    const csrf = await call(
      h.app,
      'GET',
      '/v1/audit?scope=instance&action=session.csrf_failed',
      h.adminToken,
    );
    expect(csrf.body.data).toMatchObject([{ count: 10, actor: { type: 'user', id: h.userId } }]);
    const refused = await call(h.app, 'GET', '/v1/audit?action=request.refused', h.adminToken);
    expect(refused.body.data).toMatchObject([
      { count: 4, target: { type: 'route', id: 'POST /v1/tokens' }, actor: { via_token_id: narrow.id } },
    ]);
    expect((await verify(h)).ok).toBe(true);
  });
});
