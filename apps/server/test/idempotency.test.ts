import { newId } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, type Harness, startHarness } from './harness.ts';

const key = (name: string) => ({ 'idempotency-key': `${name}-${Math.random().toString(36).slice(2)}` });

/** `Idempotency-Key` on create, rotate, regenerate and import: a retry never makes a second token. */
describe.each(['sqlite', 'postgres'] as const)('Idempotency-Key (%s)', (database) => {
  let h: Harness;
  let clock = Date.now();

  beforeAll(async () => {
    h = await startHarness({ database, now: () => clock, config: { failedAuthRateLimits: 'none' } });
  });
  afterAll(async () => h.close());

  const me = (token: string) => h.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
  const named = async (name: string) =>
    (await call(h.app, 'GET', `/v1/tokens?search=${encodeURIComponent(name)}`, h.adminToken)).body.data;

  it('create: the same key and body answers the original token once more, without its secret, which keeps working', async () => {
    const headers = key('create');
    const body = { name: 'idem create', scopes: ['data:read'], metadata: { n: 1 } };
    const first = await call(h.app, 'POST', '/v1/tokens', h.adminToken, body, headers);
    expect(first.status).toBe(201);
    expect(first.body.token).toMatch(/^kw_/);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await call(h.app, 'POST', '/v1/tokens', h.adminToken, body, headers);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.status).toBe('active');
    expect(again.body.secret_already_delivered).toBe(true);
    expect(again.body.token).toBeUndefined();
    expect(await named('idem create')).toHaveLength(1);
    expect((await me(first.body.token)).statusCode).toBe(200);
    const record = await h.storage.idempotency.get(
      h.projectId as never,
      h.userId,
      headers['idempotency-key'],
      clock,
    );
    expect(JSON.stringify(record)).not.toContain(first.body.token);
  });

  it('create: the same key with another body is 422 and makes nothing', async () => {
    const headers = key('other');
    await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: 'idem a', scopes: ['data:read'] }, headers);
    const other = await call(
      h.app,
      'POST',
      '/v1/tokens',
      h.adminToken,
      { name: 'idem b', scopes: ['data:read'] },
      headers,
    );
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await named('idem b')).toHaveLength(0);
  });

  it('create: a key is free again after 24 hours, and a failed request does not take it', async () => {
    const headers = key('ttl');
    const body = { name: 'idem ttl', scopes: ['data:read'] };
    const failed = await call(
      h.app,
      'POST',
      '/v1/tokens',
      h.adminToken,
      { ...body, scopes: ['nope'] },
      headers,
    );
    expect(failed.status).toBe(400);
    // Refused inside the handler, after the key was claimed: the key is released.
    const { scopes: _scopes, ...unscoped } = body;
    const refused = await call(
      h.app,
      'POST',
      '/v1/tokens',
      h.adminToken,
      { ...unscoped, role_id: newId('role') },
      headers,
    );
    expect(refused.status).toBe(404);
    const first = await call(h.app, 'POST', '/v1/tokens', h.adminToken, body, headers);
    expect(first.status).toBe(201);
    expect(first.body.token).toBeDefined();
    clock += 24 * 3_600_000 - 1;
    expect((await call(h.app, 'POST', '/v1/tokens', h.adminToken, body, headers)).body.id).toBe(
      first.body.id,
    );
    clock += 2;
    const later = await call(h.app, 'POST', '/v1/tokens', h.adminToken, body, headers);
    expect(later.status).toBe(201);
    expect(later.body.id).not.toBe(first.body.id);
    expect(later.body.token).toBeDefined();
  });

  it('create: concurrent requests with one key make one token', async () => {
    const headers = key('race');
    const body = { name: 'idem race', scopes: ['data:read'] };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => call(h.app, 'POST', '/v1/tokens', h.adminToken, body, headers)),
    );
    const withSecret = answers.filter((a) => a.status === 201 && typeof a.body.token === 'string');
    expect(withSecret).toHaveLength(1);
    for (const a of answers) expect([201, 409]).toContain(a.status);
    expect(await named('idem race')).toHaveLength(1);
  });

  it('rotate: a replay rotates nothing again; the secret of the first rotation keeps working', async () => {
    const created = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'idem rotate',
      scopes: ['data:read'],
    });
    const headers = key('rotate');
    const url = `/v1/tokens/${created.body.id}/rotate`;
    const first = await call(h.app, 'POST', url, h.adminToken, { grace_period_seconds: 0 }, headers);
    expect(first.status).toBe(200);
    const again = await call(h.app, 'POST', url, h.adminToken, { grace_period_seconds: 0 }, headers);
    expect(again.status).toBe(200);
    expect(again.body.secret_already_delivered).toBe(true);
    expect(again.body.token).toBeUndefined();
    expect(again.body.hint).toBe(first.body.hint);
    expect((await me(first.body.token)).statusCode).toBe(200);
    expect((await me(created.body.token)).statusCode).toBe(401);
    const otherGrace = await call(h.app, 'POST', url, h.adminToken, { grace_period_seconds: 60 }, headers);
    expect(otherGrace.status).toBe(422);
  });

  it('regenerate (me/api-key): a replay keeps the key just received', async () => {
    const headers = key('regen');
    const first = await call(h.app, 'POST', '/v1/me/api-key', h.adminToken, undefined, headers);
    expect(first.status).toBe(201);
    const again = await call(h.app, 'POST', '/v1/me/api-key', h.adminToken, undefined, headers);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.secret_already_delivered).toBe(true);
    expect((await me(first.body.token)).statusCode).toBe(200);
  });

  it('import: a replay imports nothing again and answers the tokens it made; the plaintext is not stored', async () => {
    const roles = await call(h.app, 'GET', '/v1/roles', h.adminToken);
    const roleId = roles.body.data[0].id as string;
    const legacy = `legacy-key-${Math.random().toString(36).slice(2)}-0123456789`;
    const headers = key('import');
    const body = { keys: [{ key: legacy, name: 'idem import', role_id: roleId }] };
    const first = await call(h.app, 'POST', '/v1/tokens/import', h.adminToken, body, headers);
    expect(first.status).toBe(201);
    expect(first.body.imported).toHaveLength(1);
    const again = await call(h.app, 'POST', '/v1/tokens/import', h.adminToken, body, headers);
    expect(again.status).toBe(201);
    expect(again.body.replayed).toBe(true);
    expect(again.body.imported.map((t: { id: string }) => t.id)).toEqual([first.body.imported[0].id]);
    expect(await named('idem import')).toHaveLength(1);
    const record = await h.storage.idempotency.get(
      h.projectId as never,
      h.userId,
      headers['idempotency-key'],
      clock,
    );
    expect(record?.tokenIds).toEqual([first.body.imported[0].id]);
    expect(JSON.stringify(record)).not.toContain(legacy);
  });

  it('refuses a malformed key with 400', async () => {
    const res = await call(
      h.app,
      'POST',
      '/v1/tokens',
      h.adminToken,
      { name: 'idem bad key', scopes: ['data:read'] },
      { 'idempotency-key': 'has space' },
    );
    expect(res.status).toBe(400);
    expect(await named('idem bad key')).toHaveLength(0);
  });
});
