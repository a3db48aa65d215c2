import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, startHarness } from './harness.ts';

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

  test('all or nothing: one known key in a batch imports none of it', async () => {
    const res = await call(h.app, 'POST', '/v1/tokens/import', h.adminToken, {
      keys: [
        { key: 'client_dev_key_2_valid', name: 'client 2', role_id: roleId },
        { key: 'client_dev_key_1_valid', name: 'again', role_id: roleId },
      ],
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CONFLICT');
    const me = await call(h.app, 'GET', '/v1/me', null, undefined, { 'x-api-key': 'client_dev_key_2_valid' });
    expect(me.status).toBe(401);
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
