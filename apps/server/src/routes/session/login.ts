import { KeywardError } from '@keyward/core';
import { normalizeEmail } from '@keyward/storage';
import argon2 from 'argon2';
import { Type } from 'typebox';
import { signInThrottledError } from '../../services/sign-in-throttle.ts';
import type { Route } from '../context.ts';
import { iso } from '../present.ts';
import { Email, problemResponses, Timestamp, UserIdSchema } from '../schemas.ts';
import { startSession } from './session-cookie.ts';

const Body = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

// Verified against when the email is unknown, so both failures cost the same time.
export const DUMMY_HASH =
  '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA';

const ANONYMOUS = { type: 'anonymous' as const, id: null };

export const login: Route = (app, { deps }) => {
  app.post(
    '/v1/auth/login',
    {
      config: { policy: { exempt: 'signs in: no caller yet; credentials are the check' } },
      schema: {
        operationId: 'login',
        tags: ['session'],
        summary: 'Sign in to the console; sets an HttpOnly session cookie and returns the CSRF token',
        body: Body,
        response: {
          200: Type.Object({
            user: Type.Object({ id: UserIdSchema, email: Type.String(), name: Type.String() }),
            csrf_token: Type.String(),
            expires_at: Timestamp,
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const email = normalizeEmail(request.body.email);
      const anonymous = { projectId: null, targetType: 'user', actor: ANONYMOUS };
      // Checked before any lookup or hash: a throttled account or address costs nothing more.
      const throttled = await deps.signInThrottle.check(email, request.ip);
      if (throttled) {
        deps.audit.refusal(request, { ...anonymous, targetId: null, action: 'user.login_throttled' });
        throw signInThrottledError(throttled);
      }
      const user = await deps.storage.users.getByEmail(email);
      const ok = await deps.passwordSlots.run(() =>
        argon2.verify(user?.passwordHash ?? DUMMY_HASH, request.body.password).catch(() => false),
      );
      if (!user || !user.passwordHash || !ok || !user.active) {
        const failure = { ...anonymous, targetId: user?.id ?? null };
        deps.audit.refusal(request, { ...failure, action: 'user.login_failed' });
        const lockout = await deps.signInThrottle.recordFailure(email, request.ip);
        if (lockout) {
          deps.audit.refusal(request, {
            ...failure,
            action: 'user.login_locked_out',
            changes: { scope: { after: lockout.scope } },
          });
        }
        throw new KeywardError('INVALID_CREDENTIALS');
      }
      const session = await startSession(deps, request, reply, user.id);
      await deps.audit.record(request, {
        action: 'user.login',
        projectId: null,
        targetType: 'user',
        targetId: user.id,
        actor: { type: 'user', id: user.id },
      });
      return {
        user: { id: user.id, email: user.email, name: user.name },
        csrf_token: session.csrfToken,
        expires_at: iso(session.expiresAt),
      };
    },
  );
};
