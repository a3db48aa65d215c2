import type { Keyward } from './provider/keyward.ts';
import {
  errorAnswer,
  type HttpAnswer,
  type KeywardPrincipal,
  type ProtectOptions,
  protector,
  type RequestFacts,
} from './provider/protect.ts';

export type { KeywardPrincipal } from './provider/protect.ts';

/** The part of Hono's Context the middleware uses (structural, so no hono types are needed). */
export type HonoLikeContext = {
  req: { method: string; url: string; header(name: string): string | undefined };
  header(name: string, value: string): void;
  set(key: 'keyward', value: KeywardPrincipal): void;
  get(key: 'keyward'): KeywardPrincipal | undefined;
};

/** `C`: the app's own Context type (e.g. `Context<{ Variables: { keyward: KeywardPrincipal } }>`). */
export type HonoProtectOptions<C extends HonoLikeContext = HonoLikeContext> = ProtectOptions & {
  /** The client address (Hono has no portable one; e.g. `getConnInfo(c).remote.address`). */
  clientIp?: (c: C) => string | null;
};

function factsOf<C extends HonoLikeContext>(c: C, clientIp: HonoProtectOptions<C>['clientIp']): RequestFacts {
  const url = new URL(c.req.url);
  return {
    method: c.req.method,
    path: url.pathname,
    ip: clientIp?.(c) ?? null,
    headers: (name) => c.req.header(name),
  };
}

function response(answer: HttpAnswer): Response {
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
}

/** `app.use('/v1/*', protect(keyward, ['instances:read']))`; the principal is `c.get('keyward')`. */
export function protect<C extends HonoLikeContext = HonoLikeContext>(
  keyward: Keyward,
  requiredScopes: readonly string[] = [],
  options: HonoProtectOptions<C> = {},
) {
  const decide = protector(keyward, options);
  const { clientIp } = options;
  // The facts (its URL parsed) only when the answer needs them: a refusal, a call to Keyward.
  const facts = (c: C) => factsOf(c, clientIp);
  return async (c: C, next: () => Promise<void>): Promise<Response | undefined> => {
    const { req } = c;
    const ip = clientIp?.(c) ?? null;
    const decided = decide(
      c,
      facts,
      req.header('authorization'),
      req.header('x-api-key'),
      ip,
      requiredScopes,
    );
    const result = decided instanceof Promise ? await decided : decided;
    if (!result.ok) return response(result.answer);
    c.set('keyward', result.principal);
    const headers = result.headers;
    for (const name in headers) c.header(name, headers[name] as string);
    await next();
    return undefined;
  };
}

/** `app.onError(onError(keyward))`: every error the API answers gets an error id, recorded in Keyward. */
export function onError<C extends HonoLikeContext = HonoLikeContext>(
  keyward: Keyward,
  options: HonoProtectOptions<C> = {},
) {
  return (error: unknown, c: C): Response =>
    response(errorAnswer(keyward, factsOf(c, options.clientIp), error, c.get('keyward') ?? null));
}
