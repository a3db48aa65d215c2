import { type ErrorId, isId, type ProjectId, type TokenId } from '@keyward/core';
import { Type } from 'typebox';
import { safePath } from '../../plugins/problem.ts';
import { principalOf, type Route } from '../context.ts';
import { ErrorIdSchema, Nullable, problemResponses, security, Timestamp, TokenIdSchema } from '../schemas.ts';

export const MAX_PROVIDER_CONTEXT_BYTES = 4096;

const ProviderError = Type.Object(
  {
    error_id: ErrorIdSchema,
    occurred_at: Timestamp,
    token_id: Nullable(TokenIdSchema),
    request_id: Type.String({ maxLength: 200 }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    code: Type.String({ minLength: 1, maxLength: 100 }),
    title: Type.String({ maxLength: 300 }),
    detail: Type.String({ maxLength: 2000 }),
    method: Type.String({ maxLength: 16 }),
    path: Type.String({ maxLength: 2000 }),
    context: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);

const Body = Type.Object(
  { errors: Type.Array(ProviderError, { minItems: 1, maxItems: 100 }) },
  { additionalProperties: false },
);

/** Keys that may hold a secret: dropped from provider context whatever the SDK already removed. */
const SECRET_KEY = /authorization|cookie|api[-_]?key|token|secret|password|passwd|credential/i;

function redacted(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redacted(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !SECRET_KEY.test(key))
      .map(([key, v]) => [key, redacted(v, depth + 1)]),
  );
}

/**
 * Errors a provider's API answered (seed 000's error-logging middleware), recorded under the
 * provider's project and attributed to the caller's token, so the caller looks them up with its
 * own token at GET /v1/errors/{id}. The SDK chose the ids (they are in the answers already).
 */
export const reportErrors: Route = (app, { deps, auth }) => {
  app.post(
    '/v1/sdk/errors',
    {
      onRequest: auth(['errors:write']),
      config: { policy: { exempt: "error reports record a provider's answers; they change no token" } },
      schema: {
        operationId: 'sdkReportErrors',
        tags: ['sdk'],
        summary: "Record errors a provider's API answered, in one batch",
        security,
        body: Body,
        response: {
          200: Type.Object({
            accepted: Type.Integer(),
            duplicates: Type.Integer(),
            rejected: Type.Integer(),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const projectId = principalOf(request).projectId as ProjectId;
      const now = deps.now();
      const counts = { accepted: 0, duplicates: 0, rejected: 0 };
      for (const e of request.body.errors) {
        const context = redacted(e.context) as Record<string, unknown>;
        if (Buffer.byteLength(JSON.stringify(context)) > MAX_PROVIDER_CONTEXT_BYTES) {
          counts.rejected++;
          continue;
        }
        // A token of another project is never named: the record stays the provider's own.
        const tokenId =
          e.token_id !== null &&
          isId('token', e.token_id) &&
          (await deps.storage.tokens.get(projectId, e.token_id as TokenId)) !== null
            ? (e.token_id as TokenId)
            : null;
        const at = Math.min(Date.parse(e.occurred_at), now);
        try {
          await deps.storage.errors.create({
            id: e.error_id as ErrorId,
            createdAt: at,
            requestId: e.request_id,
            status: e.status,
            code: e.code,
            title: e.title,
            detail: e.detail,
            method: e.method.toUpperCase(),
            path: safePath(e.path),
            tokenId,
            projectId,
            userId: null,
            context: { ...context, source: 'provider' },
            count: 1,
            lastSeenAt: at,
          });
          counts.accepted++;
        } catch {
          // A batch delivered twice (the answer to the first was lost): the id is already stored.
          if ((await deps.storage.errors.get(e.error_id as ErrorId)) !== null) counts.duplicates++;
          else throw new Error('could not store a provider error record');
        }
      }
      return counts;
    },
  );
};
