import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, type Harness, startHarness } from './harness.ts';

describe('the OpenAPI document', () => {
  let h: Harness;
  let doc: { openapi: string; paths: Record<string, Record<string, unknown>> };
  beforeAll(async () => {
    h = await startHarness();
    doc = (await call(h.app, 'GET', '/openapi.json', null)).body;
  });
  afterAll(() => h.close());

  test('validates as OpenAPI 3.1', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  test('every registered route is documented (the docs page assets aside)', () => {
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    const served = h.app.registeredRoutes
      .filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/docs'))
      .map((r) => `${r.method} ${r.url.replace(/:([a-z_]+)/g, '{$1}')}`);
    expect(served.length).toBeGreaterThan(35);
    expect(served.filter((r) => !documented.has(r))).toEqual([]);
  });

  test('the docs page is served', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});
