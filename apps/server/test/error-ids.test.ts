import { newId } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RegisteredRoute } from '../src/types.ts';
import {
  call,
  type Harness,
  otherProjectToken,
  sessionHeaders,
  startHarness,
  tokenWithScopes,
} from './harness.ts';

type Answer = Awaited<ReturnType<typeof call>>;
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Guarded routes that demand no scope of their own: a token without rights is not refused there. */
const NO_SCOPE_ROUTES = new Set([
  'GET /v1/me',
  'GET /v1/me/api-key',
  'POST /v1/me/api-key',
  'GET /v1/me/reminders',
  'GET /v1/errors/:error_id',
  'GET /admin/errors/:error_id',
  'GET /v1/projects',
  'GET /v1/projects/:project_id',
  'POST /v1/auth/logout',
  'GET /v1/auth/session',
]);

/** A well-formed id that names nothing, per path parameter. */
const MISSING_ID: Record<string, () => string> = {
  token_id: () => newId('token'),
  error_id: () => newId('error'),
  project_id: () => newId('project'),
  role_id: () => newId('role'),
  user_id: () => newId('user'),
  service_account_id: () => newId('serviceAccount'),
  invitation_id: () => newId('invitation'),
  webhook_id: () => newId('webhookEndpoint'),
  delivery_id: () => newId('webhookDelivery'),
};

/** A body each route with a path parameter accepts, so a missing id is what it answers. */
const VALID_BODY: Record<string, unknown> = {
  'PATCH /v1/tokens/:token_id': { name: 'renamed' },
  'PATCH /v1/projects/:project_id': { name: 'renamed' },
  'PATCH /v1/roles/:role_id': { description: 'renamed' },
  'PATCH /v1/members/:user_id': { role_id: newId('role') },
  'PATCH /v1/service-accounts/:service_account_id': { name: 'renamed' },
  'PATCH /v1/users/:user_id': { name: 'renamed' },
  'PATCH /v1/webhooks/:webhook_id': { description: 'renamed' },
};

const label = (r: RegisteredRoute) => `${r.method} ${r.url}`;
const params = (url: string) => [...url.matchAll(/:([a-z_]+)/g)].map((m) => m[1] ?? '');
const fill = (url: string, value: (param: string) => string) =>
  url.replace(/:([a-z_]+)/g, (_, name: string) => value(name));
const hasBody = (method: string) => method === 'POST' || method === 'PATCH';

/** Input no route accepts: ids of no kind, an unknown body field, a limit that is not a number. */
function badRequest(route: RegisteredRoute) {
  return {
    url: `${fill(route.url, () => 'bad')}?limit=not-a-number`,
    body: hasBody(route.method) ? { surprise: true } : undefined,
  };
}

describe.each(['sqlite', 'postgres'] as const)('an error id for every request (%s)', (database) => {
  let h: Harness;
  let routes: RegisteredRoute[];
  /** Routes that take a path parameter, a query or a body, from the OpenAPI document. */
  let withInput: Set<string>;
  let foreign: string;
  let rightless: string;
  beforeAll(async () => {
    h = await startHarness({
      database,
      config: { failedAuthRateLimits: 'none', defaultTokenRateLimits: 'none' },
    });
    routes = h.app.registeredRoutes.filter((r) => r.guarded && r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(35);
    const doc = (await call(h.app, 'GET', '/openapi.json', null)).body;
    withInput = new Set(
      routes
        .filter((r) => {
          const op = doc.paths[r.url.replace(/:([a-z_]+)/g, '{$1}')]?.[r.method.toLowerCase()];
          return (op?.parameters ?? []).length > 0 || op?.requestBody !== undefined;
        })
        .map(label),
    );
    foreign = await otherProjectToken(h);
    rightless = (await tokenWithScopes(h, ['nothing:read'], 'rightless')).token;
  });
  afterAll(() => h.close());

  const send = (route: RegisteredRoute, url: string, token: string | null, body?: unknown) =>
    call(h.app, route.method as Method, url, token, body);

  /** The seed 000 flow: the caller reads its own error by id; another project and nobody cannot. */
  async function expectReadableOnlyBy(answer: Answer, token: string, context: string) {
    expect(answer.body?.error_id, `${context}: ${answer.raw}`).toMatch(/^err_/);
    const path = `/admin/errors/${answer.body.error_id}`;
    const own = await call(h.app, 'GET', path, token);
    expect(own.status, `${context}: own lookup ${own.raw}`).toBe(200);
    expect(own.body).toMatchObject({ error_id: answer.body.error_id, code: answer.body.code });
    expect((await call(h.app, 'GET', path, foreign)).status, `${context}: foreign lookup`).toBe(404);
    expect((await call(h.app, 'GET', path, null)).status, `${context}: anonymous lookup`).toBe(401);
  }

  test('seed 000: GET /v1/tokens/tok_bad is 400 with an error id its token reads, and nobody else', async () => {
    const answer = await call(h.app, 'GET', '/v1/tokens/tok_bad', h.adminToken);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    await expectReadableOnlyBy(answer, h.adminToken, 'tok_bad');
  });

  test('no credentials: 401 on every guarded route, before any validation', async () => {
    for (const route of routes) {
      const { url, body } = badRequest(route);
      const answer = await send(route, url, null, body);
      expect(answer.status, `${label(route)}: ${answer.raw}`).toBe(401);
      expect(answer.body.code).toBe('UNAUTHENTICATED');
      expect(answer.body.errors, label(route)).toBeUndefined();
    }
  });

  test('a validation error on every route that takes input is readable by the token that got it', async () => {
    let checked = 0;
    for (const route of routes.filter((r) => withInput.has(label(r)))) {
      const { url, body } = badRequest(route);
      const answer = await send(route, url, h.adminToken, body);
      expect(answer.status, `${label(route)}: ${answer.raw}`).toBe(400);
      await expectReadableOnlyBy(answer, h.adminToken, label(route));
      checked++;
    }
    expect(checked).toBeGreaterThan(28);
  });

  test('403 on every route that demands a scope, ahead of validation, readable by the refused token', async () => {
    for (const route of routes) {
      if (NO_SCOPE_ROUTES.has(label(route))) continue;
      const { url, body } = badRequest(route);
      const answer = await send(route, url, rightless, body);
      expect(answer.status, `${label(route)}: ${answer.raw}`).toBe(403);
      expect(answer.body.code).toBe('INSUFFICIENT_SCOPE');
      await expectReadableOnlyBy(answer, rightless, label(route));
    }
  });

  test('404 for a missing id on every route with one, readable by the token that got it', async () => {
    let checked = 0;
    for (const route of routes.filter((r) => params(r.url).length > 0)) {
      const url = fill(route.url, (name) => MISSING_ID[name]?.() ?? 'unknown');
      const body = VALID_BODY[label(route)] ?? (hasBody(route.method) ? {} : undefined);
      const answer = await send(route, url, h.adminToken, body);
      expect(answer.status, `${label(route)}: ${answer.raw}`).toBe(404);
      await expectReadableOnlyBy(answer, h.adminToken, label(route));
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
  });

  test('409s (a duplicate role, a revoked token rotated) are readable by the token that got them', async () => {
    const role = { name: `dup-${database}`, scopes: ['jobs:read'] };
    expect((await call(h.app, 'POST', '/v1/roles', h.adminToken, role)).status).toBe(201);
    const duplicate = await call(h.app, 'POST', '/v1/roles', h.adminToken, role);
    expect(duplicate.status, duplicate.raw).toBe(409);
    await expectReadableOnlyBy(duplicate, h.adminToken, 'duplicate role');

    const { id } = await tokenWithScopes(h, ['jobs:read'], 'to revoke');
    expect((await call(h.app, 'POST', `/v1/tokens/${id}/revoke`, h.adminToken)).status).toBe(200);
    const rotated = await call(h.app, 'POST', `/v1/tokens/${id}/rotate`, h.adminToken);
    expect(rotated.status, rotated.raw).toBe(409);
    await expectReadableOnlyBy(rotated, h.adminToken, 'rotate revoked');
  });

  test('a console user reads the errors its session got; a token of the same project without errors:read does not', async () => {
    const session = { ...(await sessionHeaders(h)), 'keyward-project': h.projectId };
    const answer = await call(h.app, 'GET', '/v1/tokens/tok_bad', null, undefined, session);
    expect(answer.status).toBe(400);
    const path = `/v1/errors/${answer.body.error_id}`;
    expect((await call(h.app, 'GET', path, null, undefined, session)).status).toBe(200);
    expect((await call(h.app, 'GET', path, rightless)).status).toBe(404);
    expect((await call(h.app, 'GET', path, foreign)).status).toBe(404);
  });

  test('an unknown route answered to a token names the token, so it can read that error too', async () => {
    const answer = await call(h.app, 'GET', '/v1/no-such-route', rightless);
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('ROUTE_NOT_FOUND');
    await expectReadableOnlyBy(answer, rightless, 'unknown route');
  });
});
