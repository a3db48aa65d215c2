import { type AuditCheckpoint, INSTANCE_ADMIN_SCOPE, KeywardError } from '@keyward/core';
import { Type } from 'typebox';
import type { Route } from '../context.ts';
import { Nullable, named, problemResponses, security, Timestamp } from '../schemas.ts';

const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' });

export const AuditCheckpointView = named(
  'AuditCheckpoint',
  Type.Object({
    seq: Type.Integer({ minimum: 0 }),
    head: Hex64,
    issued_at: Timestamp,
    key_version: Type.Integer({ minimum: 1 }),
    mac: Hex64,
  }),
);

/** A checkpoint kept from earlier (the log, an export), given field by field; all or none. */
const Query = Type.Object(
  {
    seq: Type.Optional(Type.Integer({ minimum: 0 })),
    head: Type.Optional(Hex64),
    issued_at: Type.Optional(Timestamp),
    key_version: Type.Optional(Type.Integer({ minimum: 1 })),
    mac: Type.Optional(Hex64),
  },
  { additionalProperties: false },
);

function givenCheckpoint(q: Partial<AuditCheckpoint>): AuditCheckpoint | null {
  const { seq, head, issued_at, key_version, mac } = q;
  if (
    seq === undefined &&
    head === undefined &&
    issued_at === undefined &&
    key_version === undefined &&
    mac === undefined
  )
    return null;
  if (
    seq === undefined ||
    head === undefined ||
    issued_at === undefined ||
    key_version === undefined ||
    mac === undefined
  )
    throw new KeywardError(
      'VALIDATION_FAILED',
      'A checkpoint needs all of seq, head, issued_at, key_version and mac',
    );
  return { seq, head, issued_at, key_version, mac };
}

export const verifyAudit: Route = (app, { deps, auth }) => {
  app.get(
    '/v1/audit/verify',
    {
      onRequest: auth([INSTANCE_ADMIN_SCOPE]),
      schema: {
        operationId: 'verifyAudit',
        tags: ['support'],
        summary:
          "Recompute the audit chain's MACs and links; also fails when the chain no longer reaches a checkpoint (this node's latest, and one given in the query)",
        security,
        querystring: Query,
        response: {
          200: named(
            'AuditVerification',
            Type.Object({
              ok: Type.Boolean(),
              events: Type.Integer(),
              broken_at_seq: Nullable(Type.Integer()),
              reason: Nullable(Type.String()),
              head: Type.Object({ seq: Type.Integer(), hash: Type.String() }),
              checkpoints_checked: Type.Integer(),
            }),
          ),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const given = givenCheckpoint(request.query);
      if (given !== null && !deps.auditKeys.checkpointValid(given))
        throw new KeywardError(
          'VALIDATION_FAILED',
          "The checkpoint's MAC does not verify under this instance's keys",
        );
      const latest = deps.auditCheckpoints.latest();
      const checkpoints = [latest, given].filter((c): c is AuditCheckpoint => c !== null);
      await deps.audit.flush();
      const result = await deps.storage.audit.verifyChain(deps.auditKeys, checkpoints);
      return {
        ok: result.ok,
        events: result.count,
        broken_at_seq: result.ok ? null : result.brokenAt,
        reason: result.ok ? null : result.reason,
        head: result.head,
        checkpoints_checked: checkpoints.length,
      };
    },
  );

  app.get(
    '/v1/audit/checkpoint',
    {
      onRequest: auth([INSTANCE_ADMIN_SCOPE]),
      schema: {
        operationId: 'createAuditCheckpoint',
        tags: ['support'],
        summary:
          'Sign a checkpoint of the audit chain head (also logged); keep it outside Keyward and pass it to /v1/audit/verify later',
        security,
        response: { 200: AuditCheckpointView, ...problemResponses },
      },
    },
    async () => {
      await deps.audit.flush();
      return deps.auditCheckpoints.issue();
    },
  );
};
