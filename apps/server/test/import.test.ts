import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, otherProjectToken, startHarness } from './harness.ts';

describe('importing existing plaintext keys', () => {
  let h: Harness;
  let roleId: string;
  beforeAll(async () => {
    h = await startHarness();
    roleId = (
      await call(h.app, 'POST', '/v1/roles', h.adminToken, { name: 'client', scopes: ['jobs:submit'] })
    ).body.id;
  });
  afterAll(() => h.close());

  test('imported keys authenticate with their role, shown by a hint that reveals no more than four characters', async () => {
    const res = await call(h.app, 'POST', '/v1/tokens/import', h.adminToken, {
      keys: [{ key: 'client_dev_key_1_valid', name: 'client 1', role_id: roleId }],
    });
    expect(res.status).toBe(201);
    expect(res.body.imported[0]).toMatchObject({ kind: 'imported', hint: '…alid', scopes: ['jobs:submit'] });
    const me = await call(h.app, 'GET', '/v1/me', null, undefined, { 'x-api-key': 'client_dev_key_1_valid' });
    expect(me.status).toBe(200);
    expect(me.body.scopes).toEqual(['jobs:submit']);
  });

  test('a re-run in the same project skips the keys it already imported and imports the rest', async () => {
    const keys = [
      { key: 'client_dev_key_1_valid', name: 'client 1', role_id: roleId },
      { key: 'client_dev_key_3_valid', name: 'client 3', role_id: roleId },
    ];
    const res = await call(h.app, 'POST', '/v1/tokens/import', h.adminToken, { keys });
    expect(res.status).toBe(201);
    expect(res.body.imported.map((t: { name: string }) => t.name)).toEqual(['client 3']);
    expect(res.body.skipped).toEqual([{ index: 0, token_id: expect.stringMatching(/^tok_/), hint: '…alid' }]);
    const again = await call(h.app, 'POST', '/v1/tokens/import', h.adminToken, { keys });
    expect(again.status).toBe(201);
    expect(again.body.imported).toEqual([]);
    expect(again.body.skipped.map((s: { index: number }) => s.index)).toEqual([0, 1]);
  });

  test('all or nothing: a key in use in another project is a 409 that does not say where', async () => {
    const foreign = await otherProjectToken(h);
    const foreignRole = (
      await call(h.app, 'POST', '/v1/roles', foreign, { name: 'x', scopes: ['jobs:read'] })
    ).body;
    const taken = await call(h.app, 'POST', '/v1/tokens/import', foreign, {
      keys: [{ key: 'someone_elses_legacy_key', name: 'theirs', role_id: foreignRole.id }],
    });
    expect(taken.status).toBe(201);
    for (const key of ['someone_elses_legacy_key', foreign]) {
      const res = await call(h.app, 'POST', '/v1/tokens/import', h.adminToken, {
        keys: [
          { key: 'client_dev_key_2_valid', name: 'client 2', role_id: roleId },
          { key, name: 'guess', role_id: roleId },
        ],
      });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('CONFLICT');
      expect(res.raw).not.toContain(foreignRole.project_id);
      expect(res.raw).not.toContain(taken.body.imported[0].id);
      expect(res.raw).not.toMatch(/keys\.1|index/);
    }
    const me = await call(h.app, 'GET', '/v1/me', null, undefined, { 'x-api-key': 'client_dev_key_2_valid' });
    expect(me.status).toBe(401);
  });

  test('a key repeated within one batch is refused', async () => {
    const entry = { key: 'client_dev_key_4_valid', name: 'twice', role_id: roleId };
    const res = await call(h.app, 'POST', '/v1/tokens/import', h.adminToken, { keys: [entry, entry] });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe('keys.1 repeats keys.0');
  });

  test('keys shorter than 16 characters are refused', async () => {
    const res = await call(h.app, 'POST', '/v1/tokens/import', h.adminToken, {
      keys: [{ key: 'short_key', name: 'short', role_id: roleId }],
    });
    expect(res.status).toBe(400);
  });

  test('a revoked token cannot be changed', async () => {
    const { id } = (
      await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: 'x', scopes: ['jobs:submit'] })
    ).body;
    await call(h.app, 'POST', `/v1/tokens/${id}/revoke`, h.adminToken);
    const res = await call(h.app, 'PATCH', `/v1/tokens/${id}`, h.adminToken, { expires_at: null });
    expect(res.status).toBe(409);
  });
});

describe('import is no faster an oracle than authentication', () => {
  let h: Harness;
  let roleId: string;
  beforeAll(async () => {
    h = await startHarness({ config: { failedAuthRateLimits: '3/3600' } });
    roleId = (
      await call(h.app, 'POST', '/v1/roles', h.adminToken, { name: 'client', scopes: ['jobs:submit'] })
    ).body.id;
  });
  afterAll(() => h.close());

  const importFrom = (keys: string[], remoteAddress = '127.0.0.1') =>
    h.app.inject({
      method: 'POST',
      url: '/v1/tokens/import',
      remoteAddress,
      headers: { authorization: `Bearer ${h.adminToken}` },
      payload: { keys: keys.map((key, i) => ({ key, name: `k${i}`, role_id: roleId })) },
    });

  test('each key found in use counts as a failed authentication of the caller', async () => {
    // The admin's own token is in use (a Keyward token, not an import of this project).
    const hits = await importFrom([h.adminToken, 'brand_new_key_number_1']);
    expect(hits.statusCode).toBe(409);
    const twice = await importFrom([h.adminToken, 'brand_new_key_number_2']);
    expect(twice.statusCode).toBe(409);
    const third = await importFrom([h.adminToken]);
    expect(third.statusCode).toBe(409);
    // Three failures used the allowance: import and sign-in from that address are refused alike.
    const blocked = await importFrom(['brand_new_key_number_3']);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('RATE_LIMITED');
    const signIn = await h.app.inject({
      method: 'GET',
      url: '/v1/me',
      remoteAddress: '127.0.0.1',
      headers: { 'x-api-key': 'never_issued_key_0001' },
    });
    expect(signIn.statusCode).toBe(429);
    // Another address is not affected; nothing of the refused batches was imported.
    const other = await importFrom(['brand_new_key_number_1'], '192.0.2.7');
    expect(other.statusCode).toBe(201);
  });

  test('a key of this project beyond the rights of the caller is a conflict, not a skip', async () => {
    const wide = (await call(h.app, 'POST', '/v1/roles', h.adminToken, { name: 'wide', scopes: ['*:*'] }))
      .body;
    const narrow = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'importer',
      scopes: ['tokens:write', 'jobs:submit'],
    });
    // From another address: 127.0.0.1 used its allowance above.
    const power = await h.app.inject({
      method: 'POST',
      url: '/v1/tokens/import',
      remoteAddress: '192.0.2.9',
      headers: { authorization: `Bearer ${h.adminToken}` },
      payload: { keys: [{ key: 'powerful_legacy_key_01', name: 'power', role_id: wide.id }] },
    });
    expect(power.statusCode).toBe(201);
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/tokens/import',
      remoteAddress: '192.0.2.8',
      headers: { authorization: `Bearer ${narrow.body.token}` },
      payload: { keys: [{ key: 'powerful_legacy_key_01', name: 'guess', role_id: roleId }] },
    });
    expect(res.statusCode).toBe(409);
  });
});
