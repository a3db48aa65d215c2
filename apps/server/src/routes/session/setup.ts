import { decideSetupAttempt, KeywardError, setupCodeMatches } from '@keyward/core';
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

const ANONYMOUS = { type: 'anonymous' as const, id: null };

const setupLocked = () =>
  new KeywardError(
    'SETUP_LOCKED',
    'Too many wrong setup codes: restart Keyward for a new code, or run `npx keyward init` on the server',
    { record: false },
  );

export const setup: Route = (app, { deps }) => {
  app.get(
    '/v1/setup',
    {
      schema: {
        operationId: 'getSetupState',
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
        operationId: 'completeSetup',
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
      const code = deps.setupCode;
      const matches = code !== null && setupCodeMatches(code, request.body.setup_code);
      if (!matches && (code === null || (await deps.storage.users.count()) > 0))
        throw new KeywardError('ALREADY_INITIALIZED');
      const attempt = decideSetupAttempt(deps.setupGuard, matches, deps.config.setupCodeAttempts);
      deps.setupGuard = attempt.state;
      const refusal = { projectId: null, targetType: null, targetId: null, actor: ANONYMOUS };
      if (attempt.outcome === 'locked') {
        deps.audit.refusal(request, { ...refusal, action: 'setup.refused_locked' });
        throw setupLocked();
      }
      if (attempt.outcome === 'wrong') {
        deps.audit.refusal(request, { ...refusal, action: 'setup.code_rejected' });
        if (!attempt.state.locked) {
          throw new KeywardError(
            'FORBIDDEN',
            'The setup code is not correct; it is printed in the server log at start',
          );
        }
        await deps.audit.record(request, { ...refusal, action: 'setup.locked' });
        deps.logger.warn(
          'First-run setup is locked after too many wrong codes: restart Keyward for a new code, or run `npx keyward init`',
        );
        throw setupLocked();
      }
      const result = await deps.passwordSlots.run(() =>
        bootstrap(
          deps.storage,
          deps.peppers,
          {
            email: request.body.email,
            password: request.body.password,
            name: request.body.name ?? 'Administrator',
            withToken: false,
          },
          deps.now(),
        ),
      );
      const session = await startSession(deps, request, reply, result.userId);
      return reply
        .code(201)
        .send({ user_id: result.userId, project_id: result.projectId, csrf_token: session.csrfToken });
    },
  );
};
