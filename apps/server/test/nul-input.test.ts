import type { ErrorId } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_EMAIL, call, type Harness, startHarness } from './harness.ts';

const NUL = '\u0000';

/** PostgreSQL text cannot hold U+0000: both databases must refuse it the same way, as a client error. */
describe.each(['sqlite', 'postgres'] as const)('NUL in any string input (%s)', (database) => {
  let h: Harness;
  let roleId: string;
  beforeAll(async () => {
    h = await startHarness({ database });
    roleId = (await call(h.app, 'POST', '/v1/roles', h.adminToken, { name: 'client', scopes: ['jobs:read'] }))
      .body.id;
  });
  afterAll(() => h.close());

  const refused = async (res: Awaited<ReturnType<typeof call>>, context: string) => {
    expect(res.status, `${context}: ${res.raw}`).toBe(400);
    expect(res.body.code, context).toBe('VALIDATION_FAILED');
    expect(res.body.error_id, context).toMatch(/^err_/);
    // The refusal itself is stored (no NUL reaches the error record either).
    const record = await h.storage.errors.get(res.body.error_id as ErrorId);
    expect(record?.code, context).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(record)).not.toContain('\\u0000');
  };

  test.each([
    ['POST', '/v1/tokens', { name: `a${NUL}b`, scopes: ['jobs:read'] }],
    ['POST', '/v1/tokens', { name: 'ok', scopes: [`jobs:read${NUL}`] }],
    ['POST', '/v1/tokens', { name: 'ok', scopes: ['jobs:read'], [`sur${NUL}prise`]: 1 }],
    ['POST', '/v1/roles', { name: `r${NUL}`, scopes: ['jobs:read'] }],
    ['POST', '/v1/projects', { name: `p${NUL}` }],
    ['POST', '/v1/auth/login', { email: `${ADMIN_EMAIL}${NUL}`, password: 'x' }],
    ['POST', '/v1/verify', { token: `kw_${NUL}` }],
  ] as const)('%s %s with NUL in the body', async (method, url, body) => {
    await refused(await call(h.app, method, url, h.adminToken, body), `${method} ${url}`);
  });

  test('NUL in an imported key or its name', async () => {
    for (const entry of [
      { key: `legacy_key_with_${NUL}_inside`, name: 'x', role_id: roleId },
      { key: 'legacy_key_16_chars_ok', name: `n${NUL}`, role_id: roleId },
    ]) {
      await refused(
        await call(h.app, 'POST', '/v1/tokens/import', h.adminToken, { keys: [entry] }),
        'import',
      );
    }
  });

  test.each([
    '/v1/tokens?search=a%00b',
    '/v1/tokens?status=active%00',
    '/v1/audit?action=token.created%00',
    '/v1/tokens/tok_%00',
    '/v1/errors/err_01%00',
    '/v1/roles/rol_x%00/x',
    '/no-such-route/%00',
  ])('NUL in the query or the path: GET %s', async (url) => {
    await refused(await call(h.app, 'GET', url, h.adminToken), url);
  });

  test('NUL in a header Keyward reads', async () => {
    for (const headers of [{ 'keyward-project': `prj_${NUL}` }, { 'x-api-key': `kw_${NUL}x` }]) {
      const res = await h.app.inject({ method: 'GET', url: '/v1/me', headers });
      expect(res.statusCode, JSON.stringify(headers)).toBe(400);
      expect(res.json().error_id).toMatch(/^err_/);
    }
  });

  test('text without NUL still works (the guard refuses only NUL)', async () => {
    const res = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'a\u0001b ü',
      scopes: ['jobs:read'],
    });
    expect(res.status).toBe(201);
    const listed = await call(h.app, 'GET', '/v1/tokens?search=a%01b', h.adminToken);
    expect(listed.status).toBe(200);
  });
});
