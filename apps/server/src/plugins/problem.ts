import {
  ERROR_CATALOG,
  type ErrorId,
  errorTypeUri,
  KeywardError,
  newId,
  type ProjectId,
  type TokenId,
} from '@keyward/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
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

function pathOf(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url;
  const cut = url.indexOf('?');
  return cut === -1 ? url : url.slice(0, cut);
}

async function storeRecord(deps: Deps, request: FastifyRequest, error: KeywardError, id: ErrorId) {
  // `record: false` (a throttled address): answering a flood must not cost a write per request.
  if (error.context.record === false) return;
  // The record would go to the database that just failed: waiting on it would only delay the answer.
  if (error.code === 'DATABASE_UNAVAILABLE') {
    request.log.warn(
      { errorId: id, code: error.code },
      'error record not stored: the database is unavailable',
    );
    return;
  }
  const principal = request.principal;
  try {
    await deps.storage.errors.create({
      id,
      createdAt: deps.now(),
      requestId: request.id,
      status: error.status,
      code: error.code,
      title: ERROR_CATALOG[error.code].title,
      detail: error.message,
      method: request.method,
      path: pathOf(request).slice(0, 512),
      tokenId: (principal?.tokenId ?? request.failedTokenId ?? null) as TokenId | null,
      projectId: (principal?.projectId ?? request.failedProjectId ?? null) as ProjectId | null,
      context: error.context,
    });
  } catch (storeError) {
    request.log.error({ err: storeError, errorId: id }, 'could not store the error record');
  }
}

/** Deferred error-record writes in progress; past the cap the answer waits for its write again. */
let deferredWrites = 0;
const MAX_DEFERRED_WRITES = 1_000;

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
  if (deferRecord && deferredWrites < MAX_DEFERRED_WRITES) {
    deferredWrites++;
    void storeRecord(deps, request, error, errorId).finally(() => deferredWrites--);
  } else {
    await storeRecord(deps, request, error, errorId);
  }
  const body: Record<string, unknown> = {
    type: errorTypeUri(error.code),
    title: ERROR_CATALOG[error.code].title,
    status: error.status,
    detail: error.message,
    instance: `/v1/errors/${errorId}`,
    code: error.code,
    error_id: errorId,
    request_id: request.id,
  };
  for (const key of PUBLIC_CONTEXT) if (error.context[key] !== undefined) body[key] = error.context[key];
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
