import { timingSafeEqual } from 'node:crypto';
import { KeywardError } from '@keyward/core';
import { Type } from 'typebox';
import { bootstrap } from '../../services/bootstrap.ts';
import type { Route } from '../context.ts';
import { Email, Name, Password, ProjectIdSchema, problemResponses, UserIdSchema } from '../schemas.ts';
import { startSession } from './session-cookie.ts';

const Body = Type.Object(
  {
    setup_code: Type.String({ minLength: 1, maxLength: 100 }),
    email: Email,
    password: Password,
    name: Type.Optional(Name),
  },
  { additionalProperties: false },
);

function codeMatches(expected: string | null, given: string): boolean {
  if (expected === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const setup: Route = (app, { deps }) => {
  app.get(
    '/v1/setup',
    {
      schema: {
        tags: ['session'],
        summary: 'Whether this instance still needs its first administrator',
        response: { 200: Type.Object({ required: Type.Boolean() }), ...problemResponses },
      },
    },
    async () => ({ required: (await deps.storage.users.count()) === 0 }),
  );
  app.post(
    '/v1/setup',
    {
      config: { policy: { exempt: 'first-run setup: no caller yet; the setup code is the check' } },
      schema: {
        tags: ['session'],
        summary: 'First-run setup: create the first administrator with the code the server printed at start',
        body: Body,
        response: {
          201: Type.Object({ user_id: UserIdSchema, project_id: ProjectIdSchema, csrf_token: Type.String() }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      if (!codeMatches(deps.setupCode, request.body.setup_code)) {
        if ((await deps.storage.users.count()) > 0) throw new KeywardError('ALREADY_INITIALIZED');
        throw new KeywardError(
          'FORBIDDEN',
          'The setup code is not correct; it is printed in the server log at start',
        );
      }
      const result = await bootstrap(
        deps.storage,
        deps.peppers,
        {
          email: request.body.email,
          password: request.body.password,
          name: request.body.name ?? 'Administrator',
          withToken: false,
        },
        deps.now(),
      );
      const session = await startSession(deps, request, reply, result.userId);
      return reply
        .code(201)
        .send({ user_id: result.userId, project_id: result.projectId, csrf_token: session.csrfToken });
    },
  );
};
