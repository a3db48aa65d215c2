import { randomBytes } from 'node:crypto';
import { newId, type UserId } from '@keyward/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, sessionSecretHash } from '../../plugins/auth.ts';
import type { Deps } from '../../types.ts';

/** Starts a console session: the cookie holds a random secret, storage only its keyed hash. */
export async function startSession(deps: Deps, request: FastifyRequest, reply: FastifyReply, userId: UserId) {
  const secret = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const now = deps.now();
  const expiresAt = now + deps.config.sessionTtlHours * 3_600_000;
  await deps.storage.sessions.create({
    id: newId('session', now),
    secretHash: sessionSecretHash(deps, secret),
    csrfToken,
    userId,
    createdAt: now,
    expiresAt,
  });
  reply.setCookie(SESSION_COOKIE, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    expires: new Date(expiresAt),
  });
  return { csrfToken, expiresAt };
}

export function clearSessionCookie(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
