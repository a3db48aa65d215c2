import { KeywardError } from '@keyward/core';
import { Type } from 'typebox';
import type { Route } from '../context.ts';
import { problemResponses } from '../schemas.ts';

export const readyz: Route = (app, { deps }) => {
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['system'],
        summary: 'Readiness: the database answers',
        response: {
          200: Type.Object({ status: Type.Literal('ready'), database: Type.String() }),
          503: problemResponses[503],
        },
      },
    },
    async () => {
      try {
        await deps.storage.ping();
      } catch {
        throw new KeywardError('DATABASE_UNAVAILABLE', undefined, { retry_after: 5 });
      }
      return { status: 'ready' as const, database: deps.storage.dialect };
    },
  );
};
