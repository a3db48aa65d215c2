import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Keyward } from './provider/keyward.ts';
import {
  errorAnswer,
  type HttpAnswer,
  type KeywardPrincipal,
  type ProtectOptions,
  type ProtectResult,
  protectRequest,
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

/** Route middleware: `app.get('/v1/instances', protect(keyward, ['instances:read']), handler)`. */
export function protect(
  keyward: Keyward,
  requiredScopes: readonly string[] = [],
  options: ProtectOptions = {},
) {
  return (request: ExpressLikeRequest, response: ServerResponse, next: Next): void => {
    const apply = (result: ProtectResult) => {
      if (!result.ok) return send(response, result.answer);
      request.keyward = result.principal;
      for (const name in result.headers) response.setHeader(name, result.headers[name] as string);
      next();
    };
    const decided = protectRequest(keyward, factsOf(request), requiredScopes, options);
    if (decided instanceof Promise) decided.then(apply, next);
    else apply(decided);
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
