import { isDeepStrictEqual } from 'node:util';
import { COMPONENT_KEYWORD } from '../routes/schemas.ts';
import { ERROR_CODE_HEADER, ERROR_ID_HEADER, PROBLEM_CONTENT_TYPE } from './problem.ts';

type Json = Record<string, unknown>;
type Operation = Json & { operationId?: string; responses?: Record<string, Json> };

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** The error answers every operation may give, each a named response with a problem+json body. */
const PROBLEM_RESPONSES: Record<string, { name: string; description: string; headers?: string[] }> = {
  '400': { name: 'BadRequest', description: 'The request is malformed or fails validation' },
  '401': {
    name: 'Unauthorized',
    description: 'No valid credential (missing, unknown, expired, revoked or disabled)',
    headers: ['WWW-Authenticate'],
  },
  '403': {
    name: 'Forbidden',
    description: 'The credential lacks a required scope, or the policy refuses the change',
    headers: ['WWW-Authenticate'],
  },
  '404': { name: 'NotFound', description: 'No such resource in the caller’s project' },
  '409': { name: 'Conflict', description: 'The change conflicts with the current state' },
  '413': { name: 'ContentTooLarge', description: 'The body exceeds the size limit' },
  '415': { name: 'UnsupportedMediaType', description: 'The body is not in a type this operation reads' },
  '422': {
    name: 'UnprocessableContent',
    description: 'An Idempotency-Key was used before with another request body',
  },
  '429': { name: 'TooManyRequests', description: 'A rate limit is exhausted', headers: ['Retry-After'] },
  '500': { name: 'InternalError', description: 'Keyward failed; the error id finds the record' },
  '503': {
    name: 'ServiceUnavailable',
    description: 'A dependency (database, cache) is unavailable',
    headers: ['Retry-After'],
  },
};

const HEADERS: Record<string, Json> = {
  'WWW-Authenticate': {
    description: 'The Bearer challenge (RFC 6750) with `error` and, for 403, the missing `scope`',
    schema: { type: 'string' },
  },
  'Retry-After': { description: 'Seconds until a retry can succeed', schema: { type: 'integer' } },
  [ERROR_ID_HEADER]: {
    description: 'The error id of the problem (also `error_id` in the body), on refusals at the doors',
    schema: { type: 'string' },
  },
  [ERROR_CODE_HEADER]: {
    description: 'The problem’s `code`, on refusals at the doors',
    schema: { type: 'string' },
  },
};

const SUCCESS_DESCRIPTIONS: Record<string, string> = { '200': 'OK', '201': 'Created', '204': 'No Content' };

/** @fastify/swagger calls every answer without a description "Default Response". */
function describeSuccess(operation: Operation): void {
  for (const [status, response] of Object.entries(operation.responses ?? {}))
    if (response.description === 'Default Response')
      response.description = SUCCESS_DESCRIPTIONS[status] ?? operation.summary ?? 'Success';
}

/**
 * Replaces every schema named with `named()` by a `$ref` to `components.schemas`, innermost first,
 * so a component refers to the components it contains. Two different schemas under one name throw:
 * the document would otherwise describe one of them wrongly.
 */
function hoistNamedSchemas(node: unknown, found: Map<string, unknown>): unknown {
  if (Array.isArray(node)) return node.map((item) => hoistNamedSchemas(item, found));
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = hoistNamedSchemas(value, found);
  const name = out[COMPONENT_KEYWORD];
  if (typeof name !== 'string') return out;
  delete out[COMPONENT_KEYWORD];
  const known = found.get(name);
  if (known !== undefined && !isDeepStrictEqual(known, out))
    throw new Error(`OpenAPI: two different schemas are named ${name}`);
  found.set(name, out);
  return { $ref: `#/components/schemas/${name}` };
}

/** Parameters are flattened by the generator (their descriptions move up): names are dropped there. */
function dropNames(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropNames);
  if (!isObject(node)) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => key !== COMPONENT_KEYWORD)
      .map(([key, value]) => [key, dropNames(value)]),
  );
}

const PROBLEM_REF = '#/components/schemas/Problem';

/** An error answer whose body is the Problem schema becomes a `$ref` to its named response. */
function problemResponseRefs(operation: Operation): void {
  const responses = operation.responses ?? {};
  for (const [status, response] of Object.entries(responses)) {
    const known = PROBLEM_RESPONSES[status];
    const content = response.content as Record<string, { schema?: Json }> | undefined;
    const schemas = Object.values(content ?? {}).map((media) => media.schema?.$ref);
    if (known && schemas.length > 0 && schemas.every((ref) => ref === PROBLEM_REF))
      responses[status] = { $ref: `#/components/responses/${known.name}` };
  }
}

function componentResponses(): Record<string, Json> {
  const headers = (names: string[] = []) =>
    Object.fromEntries(
      [...names, ERROR_ID_HEADER, ERROR_CODE_HEADER].map((name) => [name, HEADERS[name] as Json]),
    );
  return Object.fromEntries(
    Object.values(PROBLEM_RESPONSES).map(({ name, description, headers: extra }) => [
      name,
      {
        description,
        headers: headers(extra),
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: PROBLEM_REF } } },
      },
    ]),
  );
}

/**
 * One route answering several methods (the gateway door) declares one operationId; each method
 * becomes its own operation, so each gets the method as a suffix (`authorizeGet`, `authorizePost`).
 */
function splitSharedOperationIds(paths: Record<string, Record<string, Operation>>): void {
  for (const item of Object.values(paths)) {
    const ops = METHODS.map((m) => [m, item[m]] as const).filter(([, op]) => op?.operationId);
    const counts = new Map<string, number>();
    for (const [, op] of ops) counts.set(op?.operationId ?? '', (counts.get(op?.operationId ?? '') ?? 0) + 1);
    for (const [method, op] of ops) {
      if (!op?.operationId || (counts.get(op.operationId) ?? 0) < 2) continue;
      item[method] = { ...op, operationId: `${op.operationId}${method[0]?.toUpperCase()}${method.slice(1)}` };
    }
  }
}

/**
 * Turns the document @fastify/swagger builds from the route schemas into the contract the SDK's
 * types are generated from: named schemas as components, one Problem schema and named problem+json
 * responses, operationIds unique per method.
 */
export function toContract<T extends object>(generated: T): T {
  const doc = structuredClone(generated) as Json & {
    paths: Record<string, Record<string, Operation>>;
    components?: Json & { schemas?: Json };
  };
  const found = new Map<string, unknown>();
  for (const item of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      if (op.parameters) op.parameters = dropNames(op.parameters);
      item[method] = hoistNamedSchemas(op, found) as Operation;
      problemResponseRefs(item[method] as Operation);
      describeSuccess(item[method] as Operation);
    }
  }
  splitSharedOperationIds(doc.paths);
  const schemas = { ...(doc.components?.schemas ?? {}) };
  for (const name of [...found.keys()].sort()) schemas[name] = found.get(name);
  doc.components = { ...doc.components, schemas, responses: componentResponses() };
  return doc as unknown as T;
}
