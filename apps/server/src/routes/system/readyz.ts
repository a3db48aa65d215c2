import { KeywardError } from '@keyward/core';
import { Type } from 'typebox';
import type { Route } from '../context.ts';
import { problemResponses } from '../schemas.ts';

/** Resolves when `work` does; rejects once `ms` have passed (a stalled connection never answers). */
async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export const readyz: Route = (app, { deps }) => {
  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'getReadiness',
        tags: ['system'],
        summary: 'Readiness: the database answers (503 within the readiness timeout otherwise)',
        response: {
          200: Type.Object({ status: Type.Literal('ready'), database: Type.String() }),
          503: problemResponses[503],
        },
      },
    },
    async () => {
      try {
        await within(deps.storage.ping(), deps.config.readinessTimeoutMs);
      } catch {
        throw new KeywardError('DATABASE_UNAVAILABLE', undefined, { retry_after: 5 });
      }
      return { status: 'ready' as const, database: deps.storage.dialect };
    },
  );
};
