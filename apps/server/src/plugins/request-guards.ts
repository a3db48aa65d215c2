import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { findNul, KeywardError, urlCarriesSecret, urlHasNul } from '@keyward/core';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { newRequestId } from '../services/request-ids.ts';
import type { App, Deps } from '../types.ts';
import { PROBLEM_CONTENT_TYPE, problemAnswer, recordError, sendProblem } from './problem.ts';

const tokenInUrl = () =>
  new KeywardError('TOKEN_IN_URL', 'Send tokens in the Authorization or X-Api-Key header, never in the URL');

const nulIn = (field: string) =>
  new KeywardError('VALIDATION_FAILED', `${field} must not contain NUL (U+0000) characters`, {
    errors: [{ field, message: 'must not contain NUL (U+0000) characters' }],
  });

/** Refusals every route shares, decided before routing-specific work and before anything is stored. */
export function registerRequestGuards(app: App) {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const url = request.raw.url ?? '';
    if (urlCarriesSecret(url)) throw tokenInUrl();
    if (urlHasNul(url)) throw nulIn('url');
    const { headers } = request;
    for (const name in headers) if (findNul(headers[name], name) !== null) throw nulIn(`header ${name}`);
  });

  app.addHook('preValidation', async (request) => {
    // A POST without a body (e.g. `…/revoke`) is an empty object to the schema, not a type error.
    if (request.body === undefined && (request.method === 'POST' || request.method === 'PATCH'))
      request.body = {};
    const field = findNul(request.body, 'body');
    if (field !== null) throw nulIn(field);
  });
}

/**
 * Fastify's router faults (a path that does not percent-decode, e.g. `/%c0%ae` or `/v1/%zz`; an
 * overlong path parameter): answered like every other error, never with the raw path echoed.
 */
export function createFrameworkErrorHandler(deps: Deps) {
  return (error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-request-id', request.id);
    const url = request.raw.url ?? '';
    let problem: KeywardError;
    if (urlCarriesSecret(url)) problem = tokenInUrl();
    else if (error.code === 'FST_ERR_BAD_URL')
      problem = new KeywardError('MALFORMED_REQUEST', 'The URL has a malformed percent escape');
    else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
      problem = new KeywardError('VALIDATION_FAILED', 'A path segment is too long');
    else problem = new KeywardError('INTERNAL', 'An internal error occurred; quote the error id to support');
    return sendProblem(deps, request, reply, problem);
  };
}

function clientProblem(code: string | undefined): KeywardError {
  if (code === 'HPE_HEADER_OVERFLOW')
    return new KeywardError('HEADERS_TOO_LARGE', 'The request line and headers exceed the size limit');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_REQUEST_HEADERS_TIMEOUT')
    return new KeywardError('REQUEST_TIMEOUT');
  return new KeywardError('MALFORMED_REQUEST', 'The request could not be parsed as HTTP/1.1');
}

/**
 * Node's parser faults (bad framing, bad header bytes, oversized headers), before any request
 * exists. Only the error code is logged: node attaches the raw packet, `Authorization` included.
 */
export function createClientErrorHandler(deps: Deps) {
  // Fastify calls it bound to the instance, whose logger it uses.
  return function clientErrorHandler(
    this: { log: FastifyBaseLogger },
    error: Error & { code?: string },
    socket: Socket,
  ) {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const problem = clientProblem(error.code);
    const requestId = newRequestId();
    const facts = {
      requestId,
      method: '',
      path: '',
      route: null,
      tokenId: null,
      projectId: null,
      userId: null,
    };
    const recorded = recordError(deps, facts, problem);
    this.log.debug({ code: error.code, errorId: recorded.id, requestId }, 'malformed request refused');
    const body = JSON.stringify(problemAnswer(problem, recorded.id, requestId).body);
    const head = [
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}`,
      `content-type: ${PROBLEM_CONTENT_TYPE}`,
      `content-length: ${Buffer.byteLength(body)}`,
      `x-request-id: ${requestId}`,
      'connection: close',
    ];
    // Deferred like the gateway door's records; past the cap of pending writes the answer waits.
    void recorded.stored.finally(() => {
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
    });
  };
}
