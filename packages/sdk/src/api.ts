import type { KeywardClient, RequestOptions } from './client.ts';
import type * as generated from './generated/openapi.ts';
import { OPERATIONS, type Operations } from './generated/openapi.ts';

// Every view, body, query and answer of Keyward's HTTP API, generated from its OpenAPI document.
export type * from './generated/openapi.ts';
export { OPERATIONS };

export type OperationId = keyof Operations;

/** Per call: headers for this request only (e.g. `keyward-project`, `x-keyward-required-scopes`). */
export type CallOptions = { headers?: Record<string, string> };

/** One typed method per operation: path parameters first, then the body or the query, then options. */
export type KeywardApi = {
  [Id in OperationId]: (
    ...args: [...Operations[Id]['args'], options?: CallOptions]
  ) => Promise<Operations[Id]['response']>;
};

/** A cursor page of any list (`next_cursor` is null on the last page). */
export type Page<T> = { data: T[]; next_cursor: string | null };

// The names the SDK used before its types were generated, kept so callers' code still compiles.
/** @deprecated use `RateLimitPolicy` */
export type RateLimitPolicyView = generated.RateLimitPolicy;
/** @deprecated use `AuditEvent` */
export type AuditEventView = generated.AuditEvent;
/** @deprecated use `UpdateTokenBody` */
export type TokenFields = generated.UpdateTokenBody;
/** @deprecated use `ListTokensQuery` */
export type TokenListQuery = generated.ListTokensQuery;
/** @deprecated use `ListAuditQuery` */
export type AuditListQuery = generated.ListAuditQuery;
/** @deprecated use `ImportTokensBody['keys'][number]` */
export type ImportKey = generated.ImportTokensBody['keys'][number];
/** @deprecated use `ImportTokensResponse` */
export type ImportResult = generated.ImportTokensResponse;

type Operation = { method: string; path: string; params: readonly string[]; input: string };

async function call(client: KeywardClient, op: Operation, args: unknown[]): Promise<unknown> {
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = args[op.params.indexOf(name)];
    if (typeof value !== 'string' || value === '') throw new TypeError(`${op.path}: ${name} is required`);
    return encodeURIComponent(value);
  });
  const input = args[op.params.length];
  const call = args[op.params.length + (op.input === 'none' ? 0 : 1)] as CallOptions | undefined;
  const options: RequestOptions = {
    ...(op.input === 'body' ? { body: input ?? {} } : {}),
    ...(op.input === 'query' && input !== undefined
      ? { query: input as NonNullable<RequestOptions['query']> }
      : {}),
    ...(call?.headers ? { headers: call.headers } : {}),
  };
  return client.request(op.method, path, options);
}

/**
 * The management client: every operation of the OpenAPI document as a typed method, e.g.
 * `api.getToken(id)`, `api.listTokens({ status: 'active' })`, `api.revokeToken(id, { reason })`.
 */
export function keywardApi(client: KeywardClient): KeywardApi {
  const api: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [id, op] of Object.entries(OPERATIONS) as [OperationId, Operation][])
    api[id] = (...args) => call(client, op, args);
  return api as KeywardApi;
}
