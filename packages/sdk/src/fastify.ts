import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
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

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller (null on routes that opted out with `config: { keyward: false }`). */
    keyward: KeywardPrincipal | null;
  }
  interface FastifyContextConfig {
    /** The scopes this route requires, or false for a public route. */
    keyward?: { requiredScopes?: readonly string[] } | false;
  }
}

export type KeywardFastifyOptions = ProtectOptions & {
  keyward: Keyward;
  /** Scopes every route requires unless it says otherwise (default: any valid token). */
  requiredScopes?: readonly string[];
};

function factsOf(request: FastifyRequest): RequestFacts {
  return {
    method: request.method,
    path: request.url,
    ip: request.ip,
    headers: (name) => request.headers[name],
  };
}

function headerOf(request: FastifyRequest, name: string): string | string[] | undefined {
  return request.headers[name];
}

function send(reply: FastifyReply, answer: HttpAnswer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/** Goes on with the request as its decision says (a function of the module: no closure per request). */
function apply(
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
  result: ProtectResult,
) {
  if (!result.ok) return void send(reply, result.answer);
  request.keyward = result.principal;
  const headers = result.headers;
  for (const name in headers) reply.header(name, headers[name]);
  done();
}

/**
 * Protects every route of the app registered after it (register it first): the caller's token is verified in-process,
 * refusals are answered as Keyward answers them, and every error the API answers gets an error id
 * recorded in Keyward. Opt a route out with `config: { keyward: false }`.
 */
function keywardPlugin(
  app: FastifyInstance,
  options: KeywardFastifyOptions,
  done: (error?: Error) => void,
): void {
  const { keyward, requiredScopes = [] } = options;
  const decide = protector(keyward, options);
  app.decorateRequest('keyward', null);
  // Each route gets its own hook with its scopes (nothing to look up per request); a cached token is
  // answered synchronously, so the request goes on without a promise.
  app.addHook('onRoute', (route) => {
    const config = route.config?.keyward;
    if (config === false) return;
    const scopes = config?.requiredScopes ?? requiredScopes;
    const guard: onRequestHookHandler = (request, reply, done) => {
      const decided = decide(
        request,
        factsOf,
        headerOf(request, 'authorization'),
        headerOf(request, 'x-api-key'),
        request.ip,
        scopes,
      );
      if (decided instanceof Promise) decided.then((result) => apply(request, reply, done, result), done);
      else apply(request, reply, done, decided);
    };
    const own = route.onRequest;
    route.onRequest = own === undefined ? [guard] : [guard, ...(Array.isArray(own) ? own : [own])];
  });
  app.setErrorHandler((error, request, reply) => {
    if (reply.sent) return;
    const answer = errorAnswer(keyward, factsOf(request), error, request.keyward);
    if (answer.status >= 500)
      request.log.error({ err: error, errorId: answer.body.error_id }, 'request failed');
    return send(reply, answer);
  });
  done();
}

// Like fastify-plugin: the hooks apply to the whole app, not only inside this plugin's scope.
(keywardPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export { keywardPlugin as keyward };
export default keywardPlugin;
