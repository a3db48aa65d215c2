import {
  ERROR_CATALOG,
  type ErrorId,
  errorCoalescingKey,
  errorTypeUri,
  KeywardError,
  type ProjectId,
  redactPath,
  type TokenId,
  type UserId,
} from '@keyward/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { RecordedError } from '../services/error-recorder.ts';
import type { App, Deps } from '../types.ts';
import { requireAuth, SESSION_COOKIE } from './auth.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Maps Fastify's own faults (parsing, limits, validation) onto the catalog. */
function classify(error: FastifyError): KeywardError {
  if (error instanceof KeywardError) return error;
  if (error.validation) {
    const errors = error.validation.map((v) => ({
      field: `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
      message: v.message ?? 'is not valid',
      ...(v.keyword === 'additionalProperties'
        ? { unknown_field: (v.params as { additionalProperty?: string }).additionalProperty }
        : {}),
    }));
    return new KeywardError('VALIDATION_FAILED', errors.map((e) => `${e.field} ${e.message}`).join('; '), {
      errors,
    });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new KeywardError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new KeywardError('UNSUPPORTED_MEDIA_TYPE', 'Send request bodies as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new KeywardError('MALFORMED_JSON', 'The body is empty but the content type is JSON');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new KeywardError('MALFORMED_JSON');
  }
  if (error instanceof SyntaxError) return new KeywardError('MALFORMED_JSON');
  const status = error.statusCode ?? 500;
  if (status === 415) return new KeywardError('UNSUPPORTED_MEDIA_TYPE');
  if (status === 413) return new KeywardError('PAYLOAD_TOO_LARGE');
  if (status === 405) return new KeywardError('METHOD_NOT_ALLOWED');
  if (status >= 400 && status < 500) return new KeywardError('VALIDATION_FAILED', error.message);
  return new KeywardError('INTERNAL', 'An internal error occurred; quote the error id to support');
}

/** Context keys that become top-level members of the problem body (RFC 9457 extension members). */
const PUBLIC_CONTEXT = ['errors', 'required_scopes', 'missing_scopes', 'retry_after'] as const;

/** A request target as stored and logged: no query, token-shaped segments redacted, no NUL. */
export function safePath(url: string): string {
  const cut = url.indexOf('?');
  return redactPath(cut === -1 ? url : url.slice(0, cut))
    .replaceAll('\u0000', '\uFFFD')
    .slice(0, MAX_PATH);
}

function pathOf(request: { url?: string | undefined }): string {
  return safePath(request.url ?? '');
}

/** What an error record needs to know about the request that failed, whoever answered it. */
export type ErrorFacts = {
  requestId: string;
  method: string;
  path: string;
  /** The matched route pattern; null when no route matched. */
  route: string | null;
  tokenId: TokenId | null;
  projectId: ProjectId | null;
  /** The session user the answer goes to. */
  userId: UserId | null;
};

function requestFacts(request: FastifyRequest): ErrorFacts {
  const principal = request.principal;
  return {
    requestId: request.id,
    method: request.method,
    path: pathOf(request.raw),
    route: request.routeOptions.url ?? null,
    tokenId: (principal?.tokenId ?? request.failedTokenId ?? null) as TokenId | null,
    projectId: (principal?.projectId ?? request.failedProjectId ?? null) as ProjectId | null,
    userId: principal?.via === 'session' ? (principal.ownerId as UserId) : null,
  };
}

/**
 * The record this error is answered with: its window's, shared with identical errors to the same
 * caller (see `errorCoalescingKey`). Errors of callers nobody identified are counted in /metrics.
 */
export function recordError(deps: Deps, facts: ErrorFacts, error: KeywardError): RecordedError {
  const subject = facts.tokenId ?? (facts.userId === null ? null : `user:${facts.userId}`);
  if (subject === null) deps.metrics.unauthenticatedError(error.code);
  const detail = error.message.replaceAll('\u0000', '\uFFFD').slice(0, MAX_DETAIL);
  const key = errorCoalescingKey({
    subject,
    projectId: facts.projectId,
    status: error.status,
    code: error.code,
    method: facts.method,
    route: facts.route,
    detail,
  });
  // The record would go to the database that just failed: it waits in memory instead (no write
  // attempt, nor a wait on one, per answer) and is written once the database is back.
  const recordVia =
    error.code === 'DATABASE_UNAVAILABLE' ? deps.errorRecords.recordDuringOutage : deps.errorRecords.record;
  return recordVia(key, () => ({
    requestId: facts.requestId,
    status: error.status,
    code: error.code,
    title: ERROR_CATALOG[error.code].title,
    detail,
    method: facts.method,
    path: facts.path.slice(0, MAX_PATH),
    tokenId: facts.tokenId,
    projectId: facts.projectId,
    userId: facts.userId,
    context: error.context,
  }));
}

const MAX_DETAIL = 1_024;
const MAX_PATH = 512;

export type ProblemAnswer = {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
};

/** The problem+json answer to an error, as data: Fastify's reply and the gateway's fast path send it. */
export function problemAnswer(error: KeywardError, errorId: ErrorId, requestId: string): ProblemAnswer {
  const body: Record<string, unknown> = {
    type: errorTypeUri(error.code),
    title: ERROR_CATALOG[error.code].title,
    status: error.status,
    detail: error.message,
    instance: `/v1/errors/${errorId}`,
    code: error.code,
    error_id: errorId,
    request_id: requestId,
  };
  for (const key of PUBLIC_CONTEXT) if (error.context[key] !== undefined) body[key] = error.context[key];
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
  // An outage is temporary: tell clients when to come back rather than to give up.
  const retryAfter = error.context.retry_after ?? (error.code === 'DATABASE_UNAVAILABLE' ? 5 : undefined);
  if (typeof retryAfter === 'number') headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfter)));
  const challenge = error.context.www_authenticate;
  if (typeof challenge === 'string') headers['www-authenticate'] = challenge;
  return { status: error.status, headers, body };
}

export type SendProblemOptions = {
  /**
   * Answer first and write the error record right after (hot doors such as /v1/authorize): the
   * id is in the answer at once and the record follows within milliseconds. Gateways drop the body
   * of an auth answer, so the id and code also go in headers.
   */
  deferRecord?: boolean;
};

export const ERROR_ID_HEADER = 'x-keyward-error-id';
export const ERROR_CODE_HEADER = 'x-keyward-error-code';

export async function sendProblem(
  deps: Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  error: KeywardError,
  { deferRecord = false }: SendProblemOptions = {},
) {
  const recorded = recordError(deps, requestFacts(request), error);
  // Otherwise the record exists before the caller can read the id and look it up.
  if (!deferRecord) await recorded.stored;
  const answer = problemAnswer(error, recorded.id, request.id);
  if (deferRecord) {
    answer.headers[ERROR_ID_HEADER] = recorded.id;
    answer.headers[ERROR_CODE_HEADER] = error.code;
  }
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

export function registerProblemHandling(app: App, deps: Deps) {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const problem = classify(error);
    // An outage is logged once when it begins and once when it ends (error-recorder), not per answer.
    if (problem.status >= 500 && problem.code !== 'DATABASE_UNAVAILABLE')
      request.log.error({ err: error }, 'request failed');
    return sendProblem(deps, request, reply, problem);
  });
  app.setNotFoundHandler(async (request, reply) => {
    try {
      // A caller presenting credentials gets an error id it can read back: authenticate it first.
      if (presentsCredentials(request)) await requireAuth(deps)(request, reply);
      throw new KeywardError('ROUTE_NOT_FOUND', `No route ${request.method} ${pathOf(request.raw)}`);
    } catch (error) {
      return sendProblem(deps, request, reply, classify(error as FastifyError));
    }
  });
}

function presentsCredentials(request: FastifyRequest): boolean {
  const { headers } = request;
  return (
    headers.authorization !== undefined ||
    headers['x-api-key'] !== undefined ||
    request.cookies[SESSION_COOKIE] !== undefined
  );
}
