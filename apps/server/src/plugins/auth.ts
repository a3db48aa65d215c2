import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  callsKeyward,
  isId,
  KeywardError,
  missingScopes,
  type ProjectId,
  type RateLimitResult,
  type Scope,
  VERIFY_ERROR,
} from '@keyward/core';
import type { TokenLookup } from '@keyward/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NO_LIMITS, rateLimitedError } from '../services/rate-limits.ts';
import { decideToken } from '../services/token-decision.ts';
import { userRights } from '../services/user-rights.ts';
import type { Deps, Principal } from '../types.ts';

export const SESSION_COOKIE = 'kw_session';
export const CSRF_HEADER = 'x-csrf-token';
export const PROJECT_HEADER = 'keyward-project';
export const REALM = 'Bearer realm="keyward"';
/**
 * `Authorization: Bearer <token>` as RFC 6750 §2.1 writes it: the scheme (any case), one space and
 * one b64token. Legacy keys with other characters travel in `X-Api-Key`.
 */
export const BEARER_CREDENTIALS = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function invalidToken(code: keyof typeof VERIFY_ERROR, description?: string): KeywardError {
  const detail = description === undefined ? '' : `, error_description="${description}"`;
  return new KeywardError(VERIFY_ERROR[code], undefined, {
    www_authenticate: `${REALM}, error="invalid_token"${detail}`,
  });
}

export function insufficientScope(missing: readonly Scope[]): KeywardError {
  return new KeywardError('INSUFFICIENT_SCOPE', `Requires scope ${missing.join(' ')}`, {
    missing_scopes: missing,
    www_authenticate: `${REALM}, error="insufficient_scope", scope="${missing.join(' ')}"`,
  });
}

/** The presented token, from `Authorization: Bearer` or `X-Api-Key` (the same checks follow). */
export function presentedToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  const apiKey = request.headers['x-api-key'];
  let bearer: string | null = null;
  if (header !== undefined) {
    const match = BEARER_CREDENTIALS.exec(header);
    if (!match?.[1]) {
      throw new KeywardError(
        'AUTHORIZATION_MALFORMED',
        'Use `Authorization: Bearer <token>` (one space, one token) or `X-Api-Key: <token>`',
        { www_authenticate: `${REALM}, error="invalid_request"` },
      );
    }
    bearer = match[1];
  }
  if (Array.isArray(apiKey)) throw new KeywardError('VALIDATION_FAILED', 'Send one X-Api-Key header');
  if (bearer !== null && apiKey !== undefined && apiKey !== bearer) {
    throw new KeywardError('VALIDATION_FAILED', 'Authorization and X-Api-Key name different tokens');
  }
  return bearer ?? apiKey ?? null;
}

/** Constant-time comparison, so the time of a refusal tells nothing about how much matched. */
export function sameSecret(presented: string | string[] | undefined, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sessionSecretHash(deps: Deps, secret: string): string {
  return createHmac('sha256', deps.peppers.current.key).update(`session:${secret}`).digest('hex');
}

async function sessionPrincipal(deps: Deps, request: FastifyRequest): Promise<Principal | null> {
  const secret = request.cookies[SESSION_COOKIE];
  if (!secret) return null;
  // A cookie that names no session is a failed authentication like an unknown token: a flood of
  // made-up cookies from one address is throttled before it costs a lookup each.
  await deps.rateLimits.assertAddressNotBlocked(request.ip);
  const session = await deps.storage.sessions.getBySecretHash(sessionSecretHash(deps, secret));
  if (!session || session.expiresAt <= deps.now()) {
    await deps.rateLimits.recordFailure(request.ip);
    return null;
  }
  if (!SAFE_METHODS.has(request.method) && !sameSecret(request.headers[CSRF_HEADER], session.csrfToken)) {
    deps.audit.refusal(request, {
      action: 'session.csrf_failed',
      projectId: null,
      targetType: 'session',
      targetId: session.id,
      actor: { type: 'user', id: session.userId },
    });
    throw new KeywardError('CSRF_FAILED', `Send the session's CSRF token in ${CSRF_HEADER}`);
  }
  const requested = request.headers[PROJECT_HEADER];
  let projectId: ProjectId | undefined;
  if (typeof requested === 'string' && isId('project', requested)) projectId = requested;
  else projectId = (await deps.storage.projects.listForUser(session.userId))[0]?.id;
  if (!projectId) throw new KeywardError('FORBIDDEN', 'You are not a member of any project');
  const scopes = await userRights(deps.storage, session.userId, projectId);
  if (!scopes) throw new KeywardError('NOT_FOUND', 'No such project');
  const user = await deps.storage.users.get(session.userId);
  return {
    via: 'session',
    tokenId: null,
    sessionId: session.id,
    ownerType: 'user',
    ownerId: session.userId,
    projectId,
    scopes,
    expiresAt: session.expiresAt,
    name: user?.email ?? session.userId,
    csrfToken: session.csrfToken,
    token: null,
  };
}

type Authenticated = {
  principal: Principal;
  limits: TokenLookup['rateLimits'];
  /** Tokens only: their limits were already counted by the verification. */
  rateLimit?: RateLimitResult | null;
};

async function authenticate(
  deps: Deps,
  request: FastifyRequest,
  required: readonly Scope[],
): Promise<Authenticated> {
  const token = presentedToken(request);
  if (token === null) {
    const principal = await sessionPrincipal(deps, request);
    if (!principal) throw new KeywardError('UNAUTHENTICATED', undefined, { www_authenticate: REALM });
    return { principal, limits: NO_LIMITS };
  }
  const decision = await decideToken(deps, token, required, { door: 'api', ip: request.ip, throttle: true });
  const { principal: p, lookup } = decision;
  if (p) {
    const principal: Principal = {
      via: 'token',
      tokenId: p.tokenId as Principal['tokenId'],
      sessionId: null,
      ownerType: p.ownerType,
      ownerId: p.ownerId,
      projectId: p.projectId as ProjectId,
      scopes: p.scopes,
      expiresAt: p.expiresAt,
      name: p.name,
      csrfToken: null,
      token: lookup ? { hint: lookup.hint, role: lookup.role } : null,
    };
    return { principal, limits: lookup?.rateLimits ?? NO_LIMITS, rateLimit: decision.rateLimit };
  }
  request.failedTokenId = lookup?.state.tokenId ?? null;
  request.failedProjectId = lookup?.state.projectId ?? null;
  const code = decision.code === 'VALID' ? 'NOT_FOUND' : decision.code;
  if (code === 'IP_NOT_ALLOWED') throw invalidToken(code, 'The token may not be used from this address');
  throw invalidToken(code, `The token is ${code.toLowerCase().replaceAll('_', ' ')}`);
}

const AUTH_GUARD = Symbol('keyward auth guard');

/** Whether a route hook is the auth guard (it must run in onRequest, before any validation). */
export function isAuthGuard(hook: unknown): boolean {
  return typeof hook === 'function' && AUTH_GUARD in hook;
}

/** Marks a hook that authenticates the caller (and may refuse it) as a route guard. */
export function asAuthGuard<T extends object>(hook: T): T {
  return Object.assign(hook, { [AUTH_GUARD]: true });
}

/**
 * A route guard for `onRequest`: it runs before the body is parsed or anything is validated, so
 * an anonymous caller learns nothing but 401 and every error an authenticated caller gets names it.
 * It authenticates once per request, counts it against the caller's rate limits
 * (stating them in RateLimit headers, 429 when exhausted) and demands every scope in `required`.
 */
export function requireAuth(deps: Deps, required: readonly Scope[] = []) {
  async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!request.principal) {
      const { principal, limits, rateLimit } = await authenticate(deps, request, required);
      request.principal = principal;
      const subject = {
        // A console session is limited like a token of its own, so every response states a limit.
        tokenId: principal.tokenId ?? principal.sessionId,
        ownerId: principal.ownerId,
        projectId: principal.projectId,
        policies: limits,
        callsKeyward: principal.via === 'token' && callsKeyward(principal.scopes),
      };
      const result = rateLimit !== undefined ? rateLimit : await deps.rateLimits.consume(subject);
      request.rateLimit = { policies: deps.rateLimits.appliedPolicies(subject), result };
      reply.headers(deps.rateLimits.headers(result));
      if (result && !result.allowed) throw rateLimitedError(result);
    }
    const missing = missingScopes(request.principal.scopes, required);
    if (missing.length > 0) throw insufficientScope(missing);
  }
  return asAuthGuard(guard);
}
