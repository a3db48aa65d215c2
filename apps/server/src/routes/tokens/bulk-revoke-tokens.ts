import { Type } from 'typebox';
import { recordEvent } from '../../services/webhook-events.ts';
import { principalOf, type Route } from '../context.ts';
import {
  problemResponses,
  ServiceAccountIdSchema,
  security,
  TokenIdSchema,
  UserIdSchema,
} from '../schemas.ts';

const Body = Type.Object(
  {
    owner_id: Type.Optional(
      Type.Union([UserIdSchema, ServiceAccountIdSchema], {
        description: 'Omit to revoke every token of the project',
      }),
    ),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    dry_run: Type.Optional(
      Type.Boolean({ default: false, description: 'List what would be revoked, change nothing' }),
    ),
  },
  { additionalProperties: false },
);

/** Thrown to roll a dry run back after the guarded UPDATE has told which tokens it would revoke. */
class DryRun extends Error {
  constructor(readonly ids: string[]) {
    super('dry run');
  }
}

export const bulkRevokeTokens: Route = (app, { deps }) => {
  app.post(
    '/v1/tokens/bulk-revoke',
    {
      config: { policy: 'token.bulk_revoke' },
      schema: {
        operationId: 'bulkRevokeTokens',
        tags: ['tokens'],
        summary:
          'Revoke every live token of an owner, or of the whole project (incident response); dry run first',
        security,
        body: Body,
        response: {
          200: Type.Object({
            dry_run: Type.Boolean(),
            revoked: Type.Array(TokenIdSchema),
            count: Type.Integer(),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const { owner_id: ownerId, reason = null, dry_run: dryRun = false } = request.body;
      const revoked = await deps.storage
        .transaction(async (tx) => {
          const ids = await tx.tokens.revokeByOwner(p.projectId, ownerId ?? p.projectId, reason, deps.now());
          if (dryRun) throw new DryRun(ids);
          await deps.verifier.invalidate(
            ownerId ? { projectId: p.projectId, ownerId } : { projectId: p.projectId },
            tx,
          );
          await deps.audit.record(
            request,
            {
              action: 'token.bulk_revoked',
              projectId: p.projectId,
              targetType: ownerId ? 'owner' : 'project',
              targetId: ownerId ?? p.projectId,
              changes: { revoked: { after: ids }, reason: { after: reason } },
            },
            tx,
          );
          for (const id of ids)
            await recordEvent(
              tx,
              p.projectId,
              'token.revoked',
              { token: { id }, reason, bulk: true },
              deps.now(),
            );
          return ids;
        })
        .catch((error: unknown) => {
          if (error instanceof DryRun) return error.ids;
          throw error;
        });
      return { dry_run: dryRun, revoked, count: revoked.length };
    },
  );
};
