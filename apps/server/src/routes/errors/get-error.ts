import { type ErrorId, KeywardError, missingScopes } from '@keyward/core';
import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { iso } from '../present.ts';
import { ErrorIdSchema, Nullable, named, problemResponses, security, Timestamp } from '../schemas.ts';

const ErrorRecordView = named(
  'ErrorRecord',
  Type.Object({
    error_id: ErrorIdSchema,
    created_at: Timestamp,
    request_id: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    title: Type.String(),
    detail: Type.String(),
    method: Type.String(),
    path: Type.String(),
    token_id: Nullable(Type.String()),
    project_id: Nullable(Type.String()),
    context: Type.Record(Type.String(), Type.Unknown()),
    count: Type.Integer({
      minimum: 1,
      description: 'Identical errors to the same caller within one window share this record: how many',
    }),
    last_seen_at: Timestamp,
  }),
);

const Params = Type.Object({ error_id: ErrorIdSchema });

/** Context entries that only shape the HTTP answer and add nothing to a support lookup. */
const HIDDEN_CONTEXT = new Set(['www_authenticate']);

export const getError: Route = (app, { deps, auth }) => {
  for (const path of ['/v1/errors/:error_id', '/admin/errors/:error_id']) {
    app.get(
      path,
      {
        onRequest: auth(),
        schema: {
          operationId: path.startsWith('/admin') ? 'getErrorAdminAlias' : 'getError',
          tags: ['support'],
          summary: path.startsWith('/admin')
            ? 'Onboarding alias of GET /v1/errors/{error_id}'
            : 'Look up an error by its id',
          description:
            'Readable by the token or console user that received the error and by holders of errors:read in its project.',
          security,
          params: Params,
          response: { 200: ErrorRecordView, ...problemResponses },
        },
      },
      async (request) => {
        const p = principalOf(request);
        const record = await deps.storage.errors.get(request.params.error_id as ErrorId);
        const ownError =
          record !== null &&
          ((record.tokenId !== null && record.tokenId === p.tokenId) ||
            (record.userId !== null && p.via === 'session' && record.userId === p.ownerId));
        const projectAdmin =
          record !== null &&
          record.projectId === p.projectId &&
          missingScopes(p.scopes, ['errors:read']).length === 0;
        if (!record || !(ownError || projectAdmin))
          throw new KeywardError('NOT_FOUND', 'No such error record');
        return {
          error_id: record.id,
          created_at: iso(record.createdAt),
          request_id: record.requestId,
          status: record.status,
          code: record.code,
          title: record.title,
          detail: record.detail,
          method: record.method,
          path: record.path,
          token_id: record.tokenId,
          project_id: record.projectId,
          context: Object.fromEntries(
            Object.entries(record.context).filter(([key]) => !HIDDEN_CONTEXT.has(key)),
          ),
          count: record.count,
          last_seen_at: iso(record.lastSeenAt),
        };
      },
    );
  }
};
