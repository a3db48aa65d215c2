import { Validator } from '@seriousme/openapi-schema-validator';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireOperationIds } from '../src/plugins/openapi.ts';
import { toContract } from '../src/plugins/openapi-contract.ts';
import { COMPONENT_KEYWORD } from '../src/routes/schemas.ts';
import type { App } from '../src/types.ts';
import { call, type Harness, startHarness } from './harness.ts';

describe('the OpenAPI document', () => {
  let h: Harness;
  let doc: {
    openapi: string;
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, unknown>; responses: Record<string, Response> };
  };
  type Response = { $ref?: string; content?: Record<string, { schema?: { $ref?: string } }> };
  type Operation = {
    operationId?: string;
    requestBody?: { content: Record<string, unknown> };
    responses: Record<string, Response>;
  };
  const operations = () => Object.values(doc.paths).flatMap((item) => Object.values(item));
  /** Every object in the document with the given property names (to find inline copies). */
  const objectsWith = (node: unknown, keys: string[]): unknown[] => {
    if (typeof node !== 'object' || node === null) return [];
    const here = keys.every((k) => k in node) ? [node] : [];
    return [...here, ...Object.values(node).flatMap((child) => objectsWith(child, keys))];
  };
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

  test('every operation has its own operationId', () => {
    const ids = operations().map((op) => op.operationId);
    expect(ids.length).toBeGreaterThan(50);
    expect(ids.filter((id) => typeof id !== 'string' || !/^[a-z][a-zA-Z0-9]+$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(JSON.stringify(doc)).not.toContain('Default Response');
  });

  test('errors are named problem+json responses over one Problem schema', () => {
    const problemProperties = ['type', 'title', 'status', 'detail', 'instance', 'error_id'];
    expect(objectsWith(doc.paths, problemProperties)).toEqual([]);
    expect(objectsWith(doc.components, problemProperties)).toHaveLength(1);
    for (const op of operations())
      for (const [status, response] of Object.entries(op.responses))
        if (Number(status) >= 400 && op.operationId !== 'getReadiness')
          expect(response.$ref, `${op.operationId} ${status}`).toMatch(/^#\/components\/responses\/\w+$/);
    const named = Object.values(doc.components.responses);
    expect(named.length).toBeGreaterThan(5);
    for (const response of named)
      expect(response.content).toEqual({
        'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
      });
  });

  test('views are components referred to with $ref, not inline copies', () => {
    for (const name of ['TokenView', 'TokenWithSecret', 'RoleView', 'ErrorRecord', 'Me', 'AuditEvent'])
      expect(doc.components.schemas, name).toHaveProperty(name);
    const tokenViewProperties = ['hint', 'last_used_ips', 'revoked_reason'];
    expect(objectsWith(doc.paths, tokenViewProperties)).toEqual([]);
    const get = doc.paths['/v1/tokens/{token_id}']?.get;
    expect(get?.responses['200']?.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/TokenView',
    });
  });

  test('introspection documents its form body; the audit log its JSON-lines export', () => {
    const introspect = doc.paths['/v1/introspect']?.post;
    expect(Object.keys(introspect?.requestBody?.content ?? {})).toEqual(
      expect.arrayContaining(['application/x-www-form-urlencoded', 'application/json']),
    );
    const audit = doc.paths['/v1/audit']?.get?.responses['200']?.content ?? {};
    expect(audit['application/x-ndjson']?.schema).toEqual({ $ref: '#/components/schemas/AuditEvent' });
    expect(audit['application/json']?.schema).toEqual({ $ref: '#/components/schemas/AuditEventPage' });
  });

  test('one name, one schema: a second, different schema under a name stops the document', () => {
    const answer = (schema: object) => ({
      responses: { '200': { description: 'OK', content: { 'application/json': { schema } } } },
    });
    const view = (extra: object) => ({ [COMPONENT_KEYWORD]: 'View', type: 'object', ...extra });
    const same = toContract({
      paths: { '/a': { get: answer(view({})) }, '/b': { get: answer({ type: 'array', items: view({}) }) } },
    }) as unknown as {
      paths: Record<string, { get: unknown }>;
      components: { schemas: Record<string, unknown> };
    };
    expect(same.components.schemas).toEqual({ View: { type: 'object' } });
    expect(JSON.stringify(same.paths)).not.toContain(COMPONENT_KEYWORD);
    expect(() =>
      toContract({
        paths: { '/a': { get: answer(view({})) }, '/b': { get: answer(view({ required: ['id'] })) } },
      }),
    ).toThrow('two different schemas are named View');
  });

  test('a documented route without an operationId stops the app from starting', async () => {
    const app = Fastify() as unknown as App;
    requireOperationIds(app);
    app.get('/hidden', { schema: { hide: true } }, async () => ({}));
    expect(() => app.get('/anonymous', async () => ({}))).toThrow(
      'GET /anonymous must declare schema.operationId',
    );
    app.get('/named', { schema: { operationId: 'getNamed' } }, async () => ({}));
    expect(() => app.post('/again', { schema: { operationId: 'getNamed' } }, async () => ({}))).toThrow(
      'reuses operationId "getNamed"',
    );
    await expect(app.ready()).resolves.toBeDefined();
    await app.close();
  });

  test('the docs page is served', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});
