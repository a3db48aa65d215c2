import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Keyward } from './provider/keyward.ts';
import {
  errorAnswer,
  type HttpAnswer,
  type KeywardPrincipal,
  type ProtectOptions,
  type ProtectResult,
  protector,
  type RequestFacts,
} from './provider/protect.ts';

export type { KeywardPrincipal } from './provider/protect.ts';

/** What the middleware reads of an Express request (any Node `IncomingMessage` works). */
export type ExpressLikeRequest = IncomingMessage & {
  originalUrl?: string;
  ip?: string;
  keyward?: KeywardPrincipal | null;
};
type Next = (error?: unknown) => void;

function factsOf(request: ExpressLikeRequest): RequestFacts {
  return {
    method: request.method ?? 'GET',
    path: request.originalUrl ?? request.url ?? '/',
    ip: request.ip ?? request.socket.remoteAddress ?? null,
    headers: (name) => request.headers[name],
  };
}

function send(response: ServerResponse, answer: HttpAnswer): void {
  response.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
  response.end(JSON.stringify(answer.body));
}

/** Goes on with the request as its decision says (a function of the module: no closure per request). */
function apply(
  request: ExpressLikeRequest,
  response: ServerResponse,
  next: Next,
  result: ProtectResult,
): void {
  if (!result.ok) {
    send(response, result.answer);
    return;
  }
  request.keyward = result.principal;
  const headers = result.headers;
  for (const name in headers) response.setHeader(name, headers[name] as string);
  next();
}

/** Route middleware: `app.get('/v1/instances', protect(keyward, ['instances:read']), handler)`. */
export function protect(
  keyward: Keyward,
  requiredScopes: readonly string[] = [],
  options: ProtectOptions = {},
) {
  const decide = protector(keyward, options);
  return (request: ExpressLikeRequest, response: ServerResponse, next: Next): void => {
    const headers = request.headers;
    const ip = request.ip ?? request.socket.remoteAddress ?? null;
    const decided = decide(request, factsOf, headers.authorization, headers['x-api-key'], ip, requiredScopes);
    if (decided instanceof Promise) decided.then((result) => apply(request, response, next, result), next);
    else apply(request, response, next, decided);
  };
}

/** The last middleware: every error the API answers gets an error id, recorded in Keyward. */
export function errorHandler(keyward: Keyward) {
  return (error: unknown, request: ExpressLikeRequest, response: ServerResponse, next: Next): void => {
    if (response.headersSent) {
      next(error);
      return;
    }
    send(response, errorAnswer(keyward, factsOf(request), error, request.keyward ?? null));
  };
}
