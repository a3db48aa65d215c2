import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createClient, KeywardApiError, keywardApi, OPERATIONS } from '@keyward/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GENERATED_PATH, renderApiTypes } from '../../../scripts/generate-api-types.ts';
import { type OpenApiDocument, schemaType } from '../../../scripts/openapi-to-ts.ts';
import { call, type Harness, startHarness } from './harness.ts';

describe("the SDK's types are generated from the served OpenAPI document", () => {
  let h: Harness;
  let doc: OpenApiDocument;
  let base: string;
  beforeAll(async () => {
    h = await startHarness();
    doc = (await call(h.app, 'GET', '/openapi.json', null)).body;
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => h.close());

  test('the committed types are what the served document generates (npm run generate:api)', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(renderApiTypes(doc));
  });

  test('a field the server adds, or an operation it renames, is drift', () => {
    const committed = readFileSync(GENERATED_PATH, 'utf8');
    const changed = structuredClone(doc) as OpenApiDocument & {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const tokenView = changed.components.schemas.TokenView;
    if (!tokenView) throw new Error('no TokenView component');
    tokenView.properties.owner_email = { type: 'string' };
    expect(renderApiTypes(changed)).not.toBe(committed);
    const renamed = structuredClone(doc);
    const getToken = renamed.paths['/v1/tokens/{token_id}']?.get;
    if (!getToken) throw new Error('no GET /v1/tokens/{token_id}');
    getToken.operationId = 'retrieveToken';
    expect(renderApiTypes(renamed)).not.toBe(committed);
  });

  test('the management client has a method for every operation of the document', () => {
    const served = Object.values(doc.paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    const api = keywardApi(createClient({ baseUrl: base }));
    expect(Object.keys(api).sort()).toEqual([...served].sort());
    expect(Object.keys(OPERATIONS).length).toBe(served.length);
  });

  test('its typed methods work against a real server: path parameters, bodies, queries, 204s, problems', async () => {
    const api = keywardApi(createClient({ baseUrl: base, token: h.adminToken }));
    expect((await api.getMe()).project_id).toBe(h.projectId);
    const created = await api.createToken({ name: 'typed client', scopes: ['tokens:read'] });
    if (!('token' in created)) throw new Error('a first create answers with the secret');
    expect(created.token).toMatch(/\S{20,}/);
    expect((await api.getToken(created.id)).name).toBe('typed client');
    const revoked = await api.revokeToken(created.id, { reason: 'typed client test' });
    expect(revoked.status).toBe('revoked');
    const revokedPage = await api.listTokens({ status: 'revoked', limit: 10 });
    expect(revokedPage.data.map((t) => t.id)).toContain(created.id);
    const role = await api.createRole({ name: 'typed-client-role', scopes: ['tokens:read'] });
    await expect(api.deleteRole(role.id)).resolves.toBeNull();
    const refused = await api.getToken('tok_00000000000000000000000000').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KeywardApiError);
    expect((refused as KeywardApiError).status).toBe(404);
    expect((refused as KeywardApiError).errorId).toMatch(/^err_/);
    await expect(api.getToken('')).rejects.toThrow('token_id is required');
    // Per-call headers: the gateway door reads the required scopes from one.
    const reader = await api.createToken({ name: 'reader', scopes: ['tokens:read'] });
    if (!('token' in reader)) throw new Error('a first create answers with the secret');
    const door = keywardApi(createClient({ baseUrl: base, token: reader.token }));
    await expect(
      door.authorizeGet({ headers: { 'x-keyward-required-scopes': 'tokens:read' } }),
    ).resolves.toBeNull();
    const lacking = await door
      .authorizeGet({ headers: { 'x-keyward-required-scopes': 'tokens:write' } })
      .catch((e: unknown) => e);
    expect((lacking as KeywardApiError).code).toBe('INSUFFICIENT_SCOPE');
    const anonymous = keywardApi(createClient({ baseUrl: base }));
    await expect(anonymous.listTokens()).rejects.toMatchObject({ status: 401 });
    const admin = { headers: { authorization: `Bearer ${h.adminToken}` } };
    expect((await anonymous.listTokens(undefined, admin)).data.length).toBeGreaterThan(1);
    expect((await anonymous.getToken(reader.id, admin)).name).toBe('reader');
    const lines = await api.listAudit({ format: 'jsonl', limit: 2 });
    if (typeof lines !== 'string') throw new Error('the JSON-lines export came back parsed');
    const events = lines
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events).toHaveLength(2);
    expect(events[0].seq).toBeGreaterThan(events[1].seq);
    const page = await api.listAudit({ limit: 1 });
    if (typeof page === 'string') throw new Error('the JSON page came back as text');
    expect(page.data).toHaveLength(1);
  });

  test('the generator writes the JSON Schema the routes use as TypeScript, and refuses what it cannot', () => {
    expect(schemaType({ anyOf: [{ type: 'string' }, { type: 'null' }] })).toBe('string | null');
    expect(schemaType({ type: 'array', items: { enum: ['a', 'b'] } })).toBe('("a" | "b")[]');
    expect(
      schemaType({ allOf: [{ $ref: '#/components/schemas/A' }, { $ref: '#/components/schemas/B' }] }),
    ).toBe('A & B');
    expect(schemaType({ type: 'object', additionalProperties: { type: 'integer' } })).toBe(
      'Record<string, number>',
    );
    expect(
      schemaType({
        type: 'object',
        properties: { a: { type: 'boolean' } },
        required: [],
        additionalProperties: true,
      }),
    ).toBe('{\n  a?: boolean;\n  [extension: string]: unknown;\n}');
    expect(() => schemaType({ $ref: 'other.json#/A' })).toThrow('unsupported $ref');
    expect(() => schemaType({ type: 'file' })).toThrow('unsupported type');
  });
});
