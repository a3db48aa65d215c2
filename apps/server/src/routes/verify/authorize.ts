import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { isValidScope, KeywardError, metadataHeaderValue, rateLimitHeaders, type Scope } from '@keyward/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BEARER_CREDENTIALS, presentedToken, REALM } from '../../plugins/auth.ts';
import { sendProblem } from '../../plugins/problem.ts';
import { createRequestIdSource } from '../../services/request-ids.ts';
import { type Decision, decideToken, decideTokenNow, splitScopes } from '../../services/token-decision.ts';
import type { AddressedRequest, Deps } from '../../types.ts';
import type { Route } from '../context.ts';
import { problemResponses } from '../schemas.ts';
import { type DoorProblem, doorProblem, refusalOf, refusalProblem } from './authorize-refusal.ts';
import { compileTrustedProxies, createClientAddress } from './client-address.ts';

export const AUTHORIZE_PATH = '/v1/authorize';
export const REQUIRED_SCOPES_HEADER = 'x-keyward-required-scopes';
// Envoy's HTTP ext_authz sends the original method (and path, see the fast path).
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function requiredScopes(headers: IncomingHttpHeaders) {
  const scopes = splitScopes(headers[REQUIRED_SCOPES_HEADER]);
  const bad = scopes.find((s) => !isValidScope(s));
  if (bad !== undefined)
    throw new KeywardError('VALIDATION_FAILED', `${REQUIRED_SCOPES_HEADER}: "${bad}" is not a scope`);
  return scopes;
}

/** What the gateway asks about a request: its token and the scopes it requires. */
function question(headers: IncomingHttpHeaders): { token: string; required: string[] } {
  // presentedToken reads nothing but the headers. No token is 401 whatever else is wrong.
  const token = presentedToken({ headers } as FastifyRequest);
  if (token === null) throw new KeywardError('UNAUTHENTICATED', undefined, { www_authenticate: REALM });
  return { token, required: requiredScopes(headers) };
}

/** The gateway decision for a request: its token, the scopes the gateway requires, its client. */
async function evaluate(deps: Deps, headers: IncomingHttpHeaders, ip: string): Promise<Decision> {
  const { token, required } = question(headers);
  return decideToken(deps, token, required, { door: 'authorize', ip, throttle: true });
}

/**
 * The scopes a gateway requires, by the header's exact text: gateways send a handful of fixed
 * values, so each is split and checked once. Null marks a value the general path must answer.
 */
const MAX_SCOPE_TEXTS = 256;
const scopeTexts = new Map<string, readonly Scope[] | null>();

function plainScopes(text: string): readonly Scope[] | null {
  let scopes = scopeTexts.get(text);
  if (scopes === undefined) {
    const split = splitScopes(text);
    scopes = split.every(isValidScope) ? Object.freeze(split) : null;
    if (scopeTexts.size >= MAX_SCOPE_TEXTS) scopeTexts.clear();
    scopeTexts.set(text, scopes);
  }
  return scopes;
}

const BEARER_PREFIX_LENGTH = 'Bearer '.length;

/**
 * `question` read straight from the raw header list, without building `request.headers`: the
 * common shape only (one token header, at most one scopes header, all well-formed). Anything else
 * returns null and takes the general path, which answers it exactly.
 */
function plainQuestion(raw: readonly string[]): { token: string; required: readonly Scope[] } | null {
  let token: string | null = null;
  let required: readonly Scope[] = [];
  let scopesSeen = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (name.length !== 9 && name.length !== 13 && name.length !== 25) continue;
    const lower = name.toLowerCase();
    const value = raw[i + 1] ?? '';
    if (lower === 'authorization' || lower === 'x-api-key') {
      if (token !== null) return null;
      if (lower === 'x-api-key') token = value;
      // The whole value matches `Bearer <token>`: the token is what follows the one space.
      else if (BEARER_CREDENTIALS.test(value)) token = value.slice(BEARER_PREFIX_LENGTH);
      else return null;
    } else if (lower === REQUIRED_SCOPES_HEADER) {
      if (scopesSeen) return null;
      scopesSeen = true;
      const scopes = plainScopes(value);
      if (scopes === null) return null;
      required = scopes;
    }
  }
  return token === null ? null : { token, required };
}

/** The decision when it needs no I/O (cached token, limits in memory); null otherwise. */
function evaluateNow(deps: Deps, raw: readonly string[], ip: string): Decision | null {
  const asked = plainQuestion(raw);
  return (
    asked && decideTokenNow(deps, asked.token, asked.required, { door: 'authorize', ip, throttle: true })
  );
}

/**
 * The admitted answer's headers of a principal, built once (cached principals are shared and
 * frozen): the request id slot first, then content-length and the identity headers.
 */
const admittedTemplates = new WeakMap<object, string[]>();

export function admittedTemplate(p: NonNullable<Decision['principal']>): string[] {
  let headers = admittedTemplates.get(p);
  if (headers === undefined) {
    headers = [
      'x-request-id',
      '',
      'content-length',
      '0',
      'x-keyward-token-id',
      p.tokenId,
      'x-keyward-project-id',
      p.projectId,
      'x-keyward-owner',
      `${p.ownerType}:${p.ownerId}`,
      'x-keyward-scopes',
      p.scopes.join(' '),
    ];
    admittedTemplates.set(p, headers);
  }
  return headers;
}

/** Metadata header values, rendered once per cached lookup's metadata object. */
const metadataValues = new WeakMap<object, string>();

function metadataOf(metadata: Record<string, unknown>): string {
  let value = metadataValues.get(metadata);
  if (value === undefined) {
    value = metadataHeaderValue(metadata);
    metadataValues.set(metadata, value);
  }
  return value;
}

/**
 * The admitted answer's headers beyond the principal's template: the token's metadata (when the
 * operator configured a header for it) and its RateLimit headers; null when there are none.
 */
function extraHeaders(deps: Deps, decision: Decision): string[] | null {
  const name = deps.config.gatewayMetadataHeader;
  const lookup = name === '' ? null : decision.lookup;
  if (lookup === null && decision.rateLimit === null) return null;
  const headers: string[] = [];
  if (lookup !== null) headers.push(name, metadataOf(lookup.metadata));
  if (decision.rateLimit !== null)
    for (const [header, value] of Object.entries(rateLimitHeaders(decision.rateLimit)))
      headers.push(header, value);
  return headers;
}

/** Identity, metadata (when configured) and RateLimit headers of an admitted request, as [name, value, …]. */
function admittedHeaders(principal: NonNullable<Decision['principal']>, decision: Decision, deps: Deps) {
  const headers = admittedTemplate(principal).slice(4);
  const extra = extraHeaders(deps, decision);
  return extra === null ? headers : headers.concat(extra);
}

/** What the door reads of a request, whichever edge received it (node:http or the door lane). */
export type DoorRequestView = AddressedRequest & {
  readonly method?: string | undefined;
  readonly rawHeaders: string[];
};

export type AdmittedAnswer = {
  kind: 'admitted';
  principal: NonNullable<Decision['principal']>;
  requestId: string;
  extra: string[] | null;
};
/** The door's answer as data: each edge writes it its own way. */
export type DoorAnswer = AdmittedAnswer | (DoorProblem & { kind: 'problem' });

/**
 * The gateway door's answer to a request: without I/O when the token is cached and its limits are
 * in memory (a bare server's speed matters here), else after the decision's I/O. Refusals and
 * faults that are the caller's (no token, a bad header, a throttled address, an outage) are
 * problem answers; anything else rejects, for the general route to answer.
 */
export function createDoor(deps: Deps) {
  const clientAddress = createClientAddress(deps.config.trustedProxies);
  const requestIdOf = createRequestIdSource(compileTrustedProxies(deps.config.trustedProxies));
  const factsOf = (request: DoorRequestView) => ({
    method: request.method ?? 'GET',
    route: AUTHORIZE_PATH,
    requestId: requestIdOf(request),
  });
  function answerOf(request: DoorRequestView, decision: Decision): DoorAnswer {
    if (decision.valid && decision.principal !== null)
      return {
        kind: 'admitted',
        principal: decision.principal,
        requestId: requestIdOf(request),
        extra: extraHeaders(deps, decision),
      };
    return { kind: 'problem', ...refusalProblem(deps, decision, factsOf(request)) };
  }
  return function answer(request: DoorRequestView): DoorAnswer | Promise<DoorAnswer> {
    const ip = clientAddress(request);
    const now = evaluateNow(deps, request.rawHeaders, ip);
    if (now) return answerOf(request, now);
    return evaluate(deps, request.headers, ip).then(
      (decision) => answerOf(request, decision),
      (error: unknown) => {
        if (!(error instanceof KeywardError)) throw error;
        return { kind: 'problem', ...doorProblem(deps, error, factsOf(request)) };
      },
    );
  };
}

/** The admitted answer's header list for node:http: the principal's template with the request id. */
function admittedHeaderList(answer: AdmittedAnswer): string[] {
  const headers = admittedTemplate(answer.principal).slice();
  headers[1] = answer.requestId;
  return answer.extra === null ? headers : headers.concat(answer.extra);
}

function writeAnswer(response: ServerResponse, method: string | undefined, answer: DoorAnswer): void {
  if (answer.kind === 'admitted') {
    response.writeHead(200, admittedHeaderList(answer));
    response.end();
  } else {
    response.writeHead(answer.status, answer.headers);
    response.end(method === 'HEAD' ? undefined : answer.body);
  }
}

type Fallback = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The hot path of the gateway door on node:http, ahead of Fastify (no routing, hooks or logger):
 * `GET|HEAD /v1/authorize` is answered here from the door's answer. What the door cannot answer
 * goes on to the Fastify route. Returns false for any other request.
 * `/v1/authorize/<anything>` (Envoy's path prefix) is rewritten to the door first, any method.
 */
export function createAuthorizeFastPath(door: ReturnType<typeof createDoor>) {
  return function authorizeFastPath(
    request: IncomingMessage,
    response: ServerResponse,
    fallback: Fallback,
  ): boolean {
    const url = request.url ?? '';
    if (url.startsWith(`${AUTHORIZE_PATH}/`)) {
      // Envoy's ext_authz appends the original path to its prefix: the door ignores it (the query
      // stays, so a token in it is still refused).
      const query = url.indexOf('?');
      request.url = query === -1 ? AUTHORIZE_PATH : `${AUTHORIZE_PATH}${url.slice(query)}`;
    }
    if (request.url !== AUTHORIZE_PATH || (request.method !== 'GET' && request.method !== 'HEAD'))
      return false;
    // Within the request callback when nothing needs I/O, as a bare server answers.
    const answer = door(request);
    if ('kind' in answer) writeAnswer(response, request.method, answer);
    else
      answer.then(
        (later) => writeAnswer(response, request.method, later),
        () => fallback(request, response),
      );
    return true;
  };
}

/**
 * The gateway door (nginx auth_request, Traefik ForwardAuth, Envoy ext_authz over HTTP): the
 * original request's token and the scopes the gateway requires; 200 with identity headers, or
 * 401/403/429 problem+json. Lean on purpose: no session, no audit, error records written after
 * the answer. Over a socket, admitted GETs are answered by the fast path above.
 */
export const authorize: Route = (app, { deps }) => {
  async function handler(request: FastifyRequest, reply: FastifyReply) {
    try {
      const decision = await evaluate(deps, request.headers, request.ip);
      if (decision.valid && decision.principal !== null) {
        const headers = admittedHeaders(decision.principal, decision, deps);
        for (let i = 0; i < headers.length; i += 2) reply.header(headers[i] ?? '', headers[i + 1]);
        return reply.code(200).send();
      }
      if (decision.rateLimit !== null) reply.headers(deps.rateLimits.headers(decision.rateLimit));
      request.failedTokenId = decision.lookup?.state.tokenId ?? null;
      request.failedProjectId = decision.lookup?.state.projectId ?? null;
      throw refusalOf(decision);
    } catch (error) {
      if (!(error instanceof KeywardError)) throw error;
      return sendProblem(deps, request, reply, error, { deferRecord: true });
    }
  }

  const schema = {
    operationId: 'authorize',
    tags: ['tokens'],
    summary: 'Forward auth for gateways: 200 with X-Keyward-* identity headers, or 401/403/429',
    description:
      'Reads the token from `Authorization: Bearer` or `X-Api-Key` and the required scopes from ' +
      '`X-Keyward-Required-Scopes` (space- or comma-separated). Any method; over a socket, ' +
      "`/v1/authorize/<anything>` is the same door (Envoy's path prefix).",
    security: [{ bearer: [] }, { apiKey: [] }] as Record<string, string[]>[],
    response: { ...problemResponses },
  };
  app.route({
    method: METHODS,
    url: AUTHORIZE_PATH,
    schema,
    handler,
    // Every method is accepted because the gateway forwards the original one.
    config: { policy: { exempt: 'the gateway check answers about a token and changes nothing' } },
  });
};
