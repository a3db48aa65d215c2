import { mayAttempt, type PolicyAction } from '@keyward/core';
import type { onRequestHookHandler } from 'fastify';
import { principalOf } from '../routes/context.ts';
import { callerOf, enforce } from '../services/policy.ts';
import type { App, Deps } from '../types.ts';
import { requireAuth } from './auth.ts';

export const MUTATING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * What a route declares in `config.policy`: the policy action it performs, or, for the few
 * mutating routes outside the policy (sign-in, first-run setup, verification), why.
 */
export type RoutePolicy = PolicyAction | { exempt: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    policy?: RoutePolicy;
  }
}

/**
 * Every mutating route must declare its policy action or the app does not start; a declared action
 * puts the guard in front of the route: authentication, then the policy's answer to the attempt.
 */
export function requireRoutePolicies(app: App, deps: Deps): void {
  app.addHook('onRoute', (route) => {
    const policy = route.config?.policy;
    const methods = [route.method].flat();
    if (policy === undefined) {
      if (methods.some((m) => MUTATING_METHODS.has(m)))
        throw new Error(`${methods.join(',')} ${route.url} must declare config.policy`);
      return;
    }
    if (typeof policy === 'string')
      route.onRequest = [policyGuard(deps, policy), ...[route.onRequest ?? []].flat()];
  });
}

function policyGuard(deps: Deps, action: PolicyAction): onRequestHookHandler {
  const authenticate = requireAuth(deps);
  return async function policyGuard(request, reply) {
    await authenticate(request, reply);
    const tokenId = (request.params as { token_id?: unknown } | undefined)?.token_id;
    const caller = callerOf(principalOf(request));
    enforce(mayAttempt(caller, action, typeof tokenId === 'string' ? tokenId : null), action);
  };
}
