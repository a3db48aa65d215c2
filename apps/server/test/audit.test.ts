import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, otherProjectToken, startHarness } from './harness.ts';

describe('the audit log', () => {
  let h: Harness;
  let created: { id: string; token: string };
  beforeAll(async () => {
    h = await startHarness();
    const res = await call(
      h.app,
      'POST',
      '/v1/tokens',
      h.adminToken,
      { name: 'audited', scopes: ['jobs:read'] },
      {
        'user-agent': 'audit-test/1.0',
      },
    );
    created = { id: res.body.id, token: res.body.token };
    await call(h.app, 'PATCH', `/v1/tokens/${created.id}`, h.adminToken, { name: 'renamed' });
    await call(h.app, 'POST', `/v1/tokens/${created.id}/revoke`, h.adminToken, { reason: 'done' });
    await h.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'admin@example.com', password: 'wrong password!' },
    });
  });
  afterAll(() => h.close());

  test('every mutation is recorded with actor, target, address, user agent and changed fields', async () => {
    const res = await call(h.app, 'GET', `/v1/audit?target_id=${created.id}`, h.adminToken);
    expect(res.status).toBe(200);
    expect(res.body.data.map((e: { action: string }) => e.action)).toEqual([
      'token.revoked',
      'token.updated',
      'token.created',
    ]);
    const [revoked, updated, made] = res.body.data;
    expect(made).toMatchObject({
      actor: { type: 'user', id: h.userId },
      target: { type: 'token', id: created.id },
      project_id: h.projectId,
      ip: '127.0.0.1',
      user_agent: 'audit-test/1.0',
    });
    expect(made.actor.via_token_id).toMatch(/^tok_/);
    expect(updated.changes.name).toEqual({ before: 'audited', after: 'renamed' });
    expect(revoked.changes.revoked_reason).toEqual({ after: 'done' });
  });

  test('logins and failed logins are recorded', async () => {
    const failed = await call(
      h.app,
      'GET',
      '/v1/audit?scope=instance&action=user.login_failed',
      h.adminToken,
    );
    expect(failed.body.data).toHaveLength(1);
    expect(failed.body.data[0]).toMatchObject({ project_id: null, actor: { type: 'anonymous', id: null } });
    const { token } = (
      await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: 'a', scopes: ['audit:read'] })
    ).body;
    expect((await call(h.app, 'GET', '/v1/audit?scope=instance', token)).status).toBe(403);
  });

  test('no audit entry holds a secret', async () => {
    const all = await call(h.app, 'GET', '/v1/audit?format=jsonl&limit=200', h.adminToken);
    expect(all.headers['content-type']).toContain('application/x-ndjson');
    const lines = all.raw.trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) JSON.parse(line);
    expect(all.raw).not.toContain(created.token);
    expect(all.raw).not.toContain(h.adminToken);
  });

  test('cursor paging reaches every event', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof call>> = await call(
        h.app,
        'GET',
        `/v1/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        h.adminToken,
      );
      for (const event of page.body.data) seen.add(event.id);
      cursor = page.body.next_cursor;
    } while (cursor);
    const everything = await call(h.app, 'GET', '/v1/audit?limit=200', h.adminToken);
    expect(seen.size).toBe(everything.body.data.length);
  });

  test("another project's token sees none of these events", async () => {
    const foreign = await otherProjectToken(h);
    const res = await call(h.app, 'GET', `/v1/audit?target_id=${created.id}`, foreign);
    expect(res.body.data).toEqual([]);
  });

  test('the hash chain verifies, and an edited row is detected', async () => {
    const ok = await call(h.app, 'GET', '/v1/audit/verify', h.adminToken);
    expect(ok.body).toMatchObject({ ok: true, broken_at_seq: null });
    expect(ok.body.events).toBeGreaterThan(4);
    const db = new Database(`${h.dataDir}/keyward.db`);
    db.prepare("UPDATE audit_events SET action = 'token.viewed' WHERE action = 'token.revoked'").run();
    db.close();
    const broken = await call(h.app, 'GET', '/v1/audit/verify', h.adminToken);
    expect(broken.body.ok).toBe(false);
    expect(broken.body.broken_at_seq).toBeGreaterThan(0);
  });
});
