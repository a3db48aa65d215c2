import { INSTANCE_ADMIN_SCOPE } from '@keyward/core';
import { type AuditEvent, toAuditRecord } from '@keyward/storage';
import { Type } from 'typebox';
import { insufficientScope } from '../../plugins/auth.ts';
import { principalOf, type Route } from '../context.ts';
import { isInstanceAdmin } from '../projects/project-access.ts';
import { Nullable, named, Paging, problemResponses, security, Timestamp } from '../schemas.ts';

export const AuditEventView = named(
  'AuditEvent',
  Type.Object({
    id: Type.String(),
    seq: Type.Integer(),
    occurred_at: Timestamp,
    actor: Type.Object({
      type: Type.String(),
      id: Nullable(Type.String()),
      via_token_id: Nullable(Type.String()),
    }),
    project_id: Nullable(Type.String()),
    action: Type.String(),
    target: Type.Object({ type: Nullable(Type.String()), id: Nullable(Type.String()) }),
    ip: Nullable(Type.String()),
    user_agent: Nullable(Type.String()),
    changes: Nullable(Type.Record(Type.String(), Type.Unknown())),
    count: Type.Integer({ minimum: 1, description: 'Occurrences this event stands for (a coalesced flood)' }),
    key_version: Nullable(Type.Integer()),
    hash: Type.String({
      description: 'HMAC-SHA-256 of the RFC 8785 form of this object without `hash` (ADR 0008)',
    }),
    prev_hash: Type.String(),
  }),
);

const Query = Type.Object(
  {
    ...Paging,
    actor_id: Type.Optional(Type.String({ maxLength: 40 })),
    action: Type.Optional(Type.String({ maxLength: 100 })),
    target_id: Type.Optional(Type.String({ maxLength: 40 })),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('jsonl')], { default: 'json' })),
    scope: Type.Optional(
      Type.Union([Type.Literal('project'), Type.Literal('instance')], {
        default: 'project',
        description: 'instance: events of no project (sign-ins, setup); needs keyward:admin',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The export's media type: newline-delimited JSON, one event per line. */
export const JSON_LINES = 'application/x-ndjson';

/** The MACed record plus its MAC: a verifier drops `hash` and recomputes it (ADR 0008). */
const presentEvent = (e: AuditEvent) => ({ ...toAuditRecord(e), hash: e.hash });

export const listAudit: Route = (app, { deps, auth }) => {
  app.get(
    '/v1/audit',
    {
      onRequest: auth(['audit:read']),
      schema: {
        operationId: 'listAudit',
        tags: ['support'],
        summary: "The project's audit log, newest first; `format=jsonl` exports JSON lines",
        security,
        querystring: Query,
        response: {
          200: {
            description:
              'A page of events; with `format=jsonl`, JSON lines: one AuditEvent per line, the next cursor in `X-Next-Cursor`',
            headers: {
              'x-next-cursor': Type.String({
                description: 'format=jsonl: the cursor of the next page, if any',
              }),
            },
            content: {
              'application/json': {
                schema: named(
                  'AuditEventPage',
                  Type.Object({ data: Type.Array(AuditEventView), next_cursor: Nullable(Type.String()) }),
                ),
              },
              [JSON_LINES]: { schema: AuditEventView },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const p = principalOf(request);
      if (q.scope === 'instance' && !isInstanceAdmin(p)) throw insufficientScope([INSTANCE_ADMIN_SCOPE]);
      await deps.audit.flush();
      const page = await deps.storage.audit.list(
        {
          projectId: q.scope === 'instance' ? null : p.projectId,
          ...(q.actor_id ? { actorId: q.actor_id } : {}),
          ...(q.action ? { action: q.action } : {}),
          ...(q.target_id ? { targetId: q.target_id } : {}),
          ...(q.from ? { from: Date.parse(q.from) } : {}),
          ...(q.to ? { to: Date.parse(q.to) } : {}),
        },
        { limit: q.limit, cursor: q.cursor ?? null },
      );
      const data = page.items.map(presentEvent);
      if (q.format === 'jsonl') {
        if (page.nextCursor) reply.header('x-next-cursor', page.nextCursor);
        const lines = data.map((e) => `${JSON.stringify(e)}\n`).join('');
        // JSON lines bypass the JSON response schema: the body is already serialized text.
        return reply
          .type(JSON_LINES)
          .serializer((payload) => payload as string)
          .send(lines as never);
      }
      return { data, next_cursor: page.nextCursor };
    },
  );
};
