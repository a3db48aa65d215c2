import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, otherProjectToken, startHarness } from './harness.ts';

describe.each(['sqlite', 'postgres'] as const)('the source flow on %s', (database) => {
  let h: Harness;
  let generated: { token: string; id: string };
  beforeAll(async () => {
    h = await startHarness({ database });
  });
  afterAll(() => h.close());

  test('POST /admin/generate-token returns a token shown once, with its id', async () => {
    const res = await call(h.app, 'POST', '/admin/generate-token', h.adminToken, {
      description: 'AI IDE onboarding',
      created_by: 'ide-bot',
    });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^kw_[0-9A-Za-z]{49}$/);
    expect(res.body.id).toMatch(/^tok_/);
    expect(res.headers['cache-control']).toBe('no-store');
    generated = { token: res.body.token, id: res.body.id };
    const shown = await call(h.app, 'GET', `/v1/tokens/${generated.id}`, h.adminToken);
    expect(JSON.stringify(shown.body)).not.toContain(generated.token);
    expect(shown.body.hint).toBe(`kw_…${generated.token.slice(-4)}`);
  });

  test('the token works as Bearer and as X-Api-Key on GET /v1/me, with the same answer', async () => {
    const viaBearer = await call(h.app, 'GET', '/v1/me', generated.token);
    const viaApiKey = await call(h.app, 'GET', '/v1/me', null, undefined, { 'x-api-key': generated.token });
    expect(viaBearer.status).toBe(200);
    expect(viaApiKey.status).toBe(200);
    // Identical checks, identical principal; only the rate-limit headroom counts down between the two.
    const { rate_limits: first, ...bearerPrincipal } = viaBearer.body;
    const { rate_limits: second, ...apiKeyPrincipal } = viaApiKey.body;
    expect(bearerPrincipal).toEqual(apiKeyPrincipal);
    expect(second.effective.remaining).toBe(first.effective.remaining - 1);
    expect(viaBearer.body.token_id).toBe(generated.id);
    expect(viaBearer.body.project_id).toBe(h.projectId);
    expect(viaBearer.body.scopes).toEqual(['errors:read']);
  });

  test('a failing request returns an error id the same token can look up, on both paths', async () => {
    const failed = await call(h.app, 'GET', '/v1/tokens', generated.token);
    expect(failed.status).toBe(403);
    expect(failed.headers['content-type']).toContain('application/problem+json');
    expect(failed.body.error_id).toMatch(/^err_/);
    expect(failed.body.instance).toBe(`/v1/errors/${failed.body.error_id}`);
    expect(failed.headers['x-request-id']).toBe(failed.body.request_id);
    for (const path of [`/admin/errors/${failed.body.error_id}`, `/v1/errors/${failed.body.error_id}`]) {
      const record = await call(h.app, 'GET', path, generated.token);
      expect(record.status).toBe(200);
      expect(record.body).toMatchObject({
        error_id: failed.body.error_id,
        code: 'INSUFFICIENT_SCOPE',
        status: 403,
        path: '/v1/tokens',
        method: 'GET',
        token_id: generated.id,
        request_id: failed.body.request_id,
      });
      expect(record.body.context.missing_scopes).toEqual(['tokens:read']);
    }
  });

  test("another project's token gets 404 for that error record", async () => {
    const failed = await call(h.app, 'GET', '/v1/tokens', generated.token);
    const foreign = await otherProjectToken(h);
    const lookup = await call(h.app, 'GET', `/admin/errors/${failed.body.error_id}`, foreign);
    expect(lookup.status).toBe(404);
    expect(lookup.body.code).toBe('NOT_FOUND');
  });
});
