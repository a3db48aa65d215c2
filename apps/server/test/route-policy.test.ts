import { newId, POLICY_ACTION_NAMES } from '@keyward/core';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MUTATING_METHODS, requireRoutePolicies } from '../src/plugins/policy.ts';
import type { App, RegisteredRoute } from '../src/types.ts';
import { call, type Harness, startHarness, tokenWithScopes } from './harness.ts';

/** The only mutating routes outside the policy, each with no caller to judge or nothing to change. */
const EXEMPT = [
  'POST /v1/auth/login',
  'POST /v1/auth/logout',
  'POST /v1/setup',
  'POST /v1/invitations/lookup',
  'POST /v1/invitations/redeem',
  'POST /v1/verify',
  'POST /v1/introspect',
  'POST /v1/revoke',
  'POST /v1/secret-scanning/github',
  'POST /v1/authorize',
  'PUT /v1/authorize',
  'PATCH /v1/authorize',
  'DELETE /v1/authorize',
  'POST /v1/sdk/verify',
  'POST /v1/sdk/usage',
  'POST /v1/sdk/errors',
];

const PARAM_IDS: Record<string, string> = {
  token_id: newId('token'),
  role_id: newId('role'),
  user_id: newId('user'),
  service_account_id: newId('serviceAccount'),
  project_id: newId('project'),
};
const fill = (url: string) =>
  url.replace(/:([a-z_]+)/g, (_, name: string) => PARAM_IDS[name] ?? `unknown-param-${name}`);

describe('every mutating route consults the policy', () => {
  let h: Harness;
  let mutating: RegisteredRoute[];
  beforeAll(async () => {
    h = await startHarness({ config: { failedAuthRateLimits: 'none', defaultTokenRateLimits: 'none' } });
    mutating = h.app.registeredRoutes.filter((r) => MUTATING_METHODS.has(r.method));
  });
  afterAll(() => h.close());

  test('each declares a policy action, or is one of the few known exemptions', () => {
    expect(mutating.length).toBeGreaterThan(25);
    const exempt = mutating.filter((r) => typeof r.policy !== 'string').map((r) => `${r.method} ${r.url}`);
    expect(exempt.sort()).toEqual([...EXEMPT].sort());
    for (const route of mutating) {
      if (typeof route.policy === 'string') expect(POLICY_ACTION_NAMES).toContain(route.policy);
      else expect(route.policy?.exempt, `${route.method} ${route.url}`).toMatch(/^.{12,}$/);
    }
  });

  test('a mutating route without a declared policy stops the app from starting', async () => {
    const app = Fastify() as unknown as App;
    requireRoutePolicies(app, h.deps);
    app.get('/reads', async () => ({}));
    expect(() => app.post('/undeclared', async () => ({}))).toThrow(
      'POST /undeclared must declare config.policy',
    );
    await app.close();
    const declared = Fastify() as unknown as App;
    requireRoutePolicies(declared, h.deps);
    declared.post('/declared', { config: { policy: 'token.create' } }, async () => ({}));
    await expect(declared.ready()).resolves.toBeDefined();
    await declared.close();
  });

  test('a declared action guards its route before anything else: no caller 401, no scope 403', async () => {
    const { token: scopeless } = await tokenWithScopes(h, [], 'no scopes');
    const guarded = mutating.filter((r) => typeof r.policy === 'string');
    for (const route of guarded) {
      const method = route.method as 'POST';
      const anonymous = await call(h.app, method, fill(route.url), null, {});
      expect(anonymous.status, `${route.method} ${route.url}`).toBe(401);
      const refused = await call(h.app, method, fill(route.url), scopeless, {});
      expect(refused.status, `${route.method} ${route.url}`).toBe(403);
      expect(refused.body.code).toBe('INSUFFICIENT_SCOPE');
      expect(refused.body.missing_scopes.length).toBeGreaterThan(0);
    }
  });
});
