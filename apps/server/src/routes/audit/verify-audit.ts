import { INSTANCE_ADMIN_SCOPE } from '@keyward/core';
import { Type } from 'typebox';
import type { Route } from '../context.ts';
import { problemResponses, security } from '../schemas.ts';

export const verifyAudit: Route = (app, { deps, auth }) => {
  app.get(
    '/v1/audit/verify',
    {
      onRequest: auth([INSTANCE_ADMIN_SCOPE]),
      schema: {
        tags: ['support'],
        summary: 'Recompute the audit hash chain; reports the first event that was altered or removed',
        security,
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            events: Type.Integer(),
            broken_at_seq: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...problemResponses,
        },
      },
    },
    async () => {
      const result = await deps.storage.audit.verifyChain();
      return { ok: result.ok, events: result.count, broken_at_seq: result.ok ? null : result.brokenAt };
    },
  );
};
