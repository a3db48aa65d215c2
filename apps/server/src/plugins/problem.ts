import {
  ERROR_CATALOG,
  type ErrorId,
  errorTypeUri,
  KeywardError,
  newId,
  type ProjectId,
  redactPath,
  type TokenId,
} from '@keyward/core';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { App, Deps } from '../types.ts';

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
    .slice(0, 512);
}

function pathOf(request: FastifyRequest): string {
  return safePath(request.raw.url ?? request.url);
}

type Where = {
  requestId: string;
  method: string;
  path: string;
  tokenId: TokenId | null;
  projectId: ProjectId | null;
};

async function storeRecord(
  deps: Deps,
  log: FastifyBaseLogger,
  where: Where,
  error: KeywardError,
  id: ErrorId,
) {
  // `record: false` (a throttled address): answering a flood must not cost a write per request.
  if (error.context.record === false) return;
  try {
    await deps.storage.errors.create({
      id,
      createdAt: deps.now(),
      ...where,
      status: error.status,
      code: error.code,
      title: ERROR_CATALOG[error.code].title,
      detail: error.message.replaceAll('\u0000', '\uFFFD'),
      context: error.context,
    });
  } catch (storeError) {
    log.error({ err: storeError, errorId: id }, 'could not store the error record');
  }
}

/** Deferred error-record writes in progress; past the cap the answer waits for its write again. */
let deferredWrites = 0;
const MAX_DEFERRED_WRITES = 1_000;

/** Stores the record of an answer; `defer` writes it after the answer unless too many writes are pending. */
export async function recordProblem(
  deps: Deps,
  log: FastifyBaseLogger,
  where: Where,
  error: KeywardError,
  id: ErrorId,
  defer: boolean,
): Promise<void> {
  if (defer && deferredWrites < MAX_DEFERRED_WRITES) {
    deferredWrites++;
    void storeRecord(deps, log, where, error, id).finally(() => deferredWrites--);
  } else {
    await storeRecord(deps, log, where, error, id);
  }
}

/** The problem+json body of an answer. */
export function problemBody(
  error: KeywardError,
  errorId: ErrorId,
  requestId: string,
): Record<string, unknown> {
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
  return body;
}

export type SendProblemOptions = {
  /**
   * Answer first and write the error record right after (hot doors such as /v1/authorize): the
   * id is in the answer at once and the record follows within milliseconds.
   */
  deferRecord?: boolean;
};

export async function sendProblem(
  deps: Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  error: KeywardError,
  { deferRecord = false }: SendProblemOptions = {},
) {
  const errorId = newId('error');
  if (deferRecord) {
    // Gateways drop the body of an auth answer; these let them relay the id and code.
    reply.header('x-keyward-error-id', errorId);
    reply.header('x-keyward-error-code', error.code);
  }
  const principal = request.principal;
  const where = {
    requestId: request.id,
    method: request.method,
    path: pathOf(request),
    tokenId: (principal?.tokenId ?? request.failedTokenId ?? null) as TokenId | null,
    projectId: (principal?.projectId ?? request.failedProjectId ?? null) as ProjectId | null,
  };
  await recordProblem(deps, request.log, where, error, errorId, deferRecord);
  const body = problemBody(error, errorId, request.id);
  // An outage is temporary: tell clients when to come back rather than to give up.
  const retryAfter = error.context.retry_after ?? (error.code === 'DATABASE_UNAVAILABLE' ? 5 : undefined);
  if (typeof retryAfter === 'number') reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
  const challenge = error.context.www_authenticate;
  if (typeof challenge === 'string') reply.header('www-authenticate', challenge);
  return reply.code(error.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

export function registerProblemHandling(app: App, deps: Deps) {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const problem = classify(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(deps, request, reply, problem);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(
      deps,
      request,
      reply,
      new KeywardError('ROUTE_NOT_FOUND', `No route ${request.method} ${pathOf(request)}`),
    ),
  );
}
