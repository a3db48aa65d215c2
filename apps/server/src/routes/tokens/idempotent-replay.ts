import { KeywardError } from '@keyward/core';
import type { IdempotencyRecord, Token } from '@keyward/storage';
import type { FastifyReply } from 'fastify';
import { REPLAYED_HEADER } from '../../services/idempotency.ts';
import type { Deps, Principal } from '../../types.ts';
import { presentToken } from '../present.ts';

/** The tokens a replayed request made, as they are now. */
export async function replayedTokens(
  deps: Deps,
  principal: Principal,
  record: IdempotencyRecord,
): Promise<Token[]> {
  const tokens: Token[] = [];
  for (const id of record.tokenIds) {
    const token = await deps.storage.tokens.get(principal.projectId, id);
    if (!token) throw new KeywardError('NOT_FOUND', 'The token this Idempotency-Key made no longer exists');
    tokens.push(token);
  }
  return tokens;
}

/** A replay answers with the first answer's status and the token as it is now, never a secret. */
export async function sendTokenReplay(
  deps: Deps,
  principal: Principal,
  reply: FastifyReply,
  record: IdempotencyRecord,
) {
  const [token] = await replayedTokens(deps, principal, record);
  if (!token) throw new KeywardError('NOT_FOUND', 'The token this Idempotency-Key made no longer exists');
  reply.header('cache-control', 'no-store');
  reply.header(REPLAYED_HEADER, 'true');
  return reply
    .code(record.status)
    .send({ ...presentToken(token, deps.now()), secret_already_delivered: true });
}
