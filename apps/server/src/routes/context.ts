import type { Scope } from '@keyward/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireAuth } from '../plugins/auth.ts';
import type { TokenService } from '../services/token-service.ts';
import type { App, Deps, Principal } from '../types.ts';

export type RouteContext = {
  deps: Deps;
  tokens: TokenService;
  /** Route guard demanding an authenticated caller holding every scope listed. */
  auth: (scopes?: readonly Scope[]) => (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
};

export type Route = (app: App, ctx: RouteContext) => void;

export function createRouteContext(deps: Deps, tokens: TokenService): RouteContext {
  return { deps, tokens, auth: (scopes = []) => requireAuth(deps, scopes) };
}

/** The authenticated caller; the guard has run, so it is always set on protected routes. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route used without an auth guard');
  return request.principal;
}
