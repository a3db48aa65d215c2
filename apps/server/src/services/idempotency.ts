import { createHmac } from 'node:crypto';
import { canonicalize, KeywardError, type TokenId } from '@keyward/core';
import type { IdempotencyRecord } from '@keyward/storage';
import type { FastifyRequest } from 'fastify';
import type { Deps, Principal } from '../types.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
/** As Stripe: a key answers the same request for 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** A claimed key whose request never finished (its node died) is free again after this long. */
export const PENDING_LEASE_MS = 60_000;
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

/** What the work made: its status and the tokens it made (or rotated). */
export type Done<T> = { status: number; tokenIds: TokenId[]; result: T };
export type Outcome<T> = { replay: null; result: T } | { replay: IdempotencyRecord };

/**
 * `Idempotency-Key` on the calls that issue secrets (create, rotate, regenerate, import), as Stripe
 * does it. The key is claimed before the work (a concurrent request with the same key is 409), the
 * work runs as without a key, and its tokens are recorded; a failed request frees its key. The
 * record holds a keyed hash of the request and the token ids, never a secret: a replay says the
 * secret was delivered with the first answer. The same key with another request is 422.
 */
export function createIdempotency(deps: Deps) {
  const { storage, now, peppers } = deps;

  function keyOf(request: FastifyRequest): string | null {
    const header = request.headers[IDEMPOTENCY_HEADER];
    if (header === undefined) return null;
    if (typeof header !== 'string' || !KEY_SHAPE.test(header))
      throw new KeywardError(
        'VALIDATION_FAILED',
        'Idempotency-Key: 1 to 255 visible ASCII characters, sent once',
      );
    return header;
  }

  // Keyed (the pepper), so an imported key's plaintext in the body cannot be recovered from the hash.
  const requestHash = (operation: string, fingerprint: unknown) =>
    createHmac('sha256', peppers.current.key)
      .update(`idempotency:${operation}\n${canonicalize(fingerprint)}`)
      .digest('hex');

  function answerFor(record: IdempotencyRecord | null, hash: string): { replay: IdempotencyRecord } {
    if (record === null)
      throw new KeywardError('CONFLICT', 'A request with this Idempotency-Key has just ended; retry');
    if (record.requestHash !== hash)
      throw new KeywardError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used with another request in the last 24 hours; use a new key',
      );
    if (record.status === 0)
      throw new KeywardError(
        'CONFLICT',
        'A request with this Idempotency-Key is still running; retry shortly',
      );
    return { replay: record };
  }

  async function run<T>(
    request: FastifyRequest,
    principal: Principal,
    operation: string,
    fingerprint: unknown,
    work: () => Promise<Done<T>>,
  ): Promise<Outcome<T>> {
    const key = keyOf(request);
    if (key === null) return { replay: null, result: (await work()).result };
    const hash = requestHash(operation, fingerprint);
    const ids = { projectId: principal.projectId, actorId: principal.ownerId, key };
    const at = now();
    const claimed = await storage.idempotency.claim({
      ...ids,
      requestHash: hash,
      status: 0,
      tokenIds: [],
      createdAt: at,
      expiresAt: at + PENDING_LEASE_MS,
    });
    if (!claimed)
      return answerFor(await storage.idempotency.get(ids.projectId, ids.actorId, key, now()), hash);
    let done: Done<T>;
    try {
      done = await work();
    } catch (error) {
      await storage.idempotency.release(ids.projectId, ids.actorId, key);
      throw error;
    }
    await storage.idempotency.complete({
      ...ids,
      status: done.status,
      tokenIds: done.tokenIds,
      expiresAt: at + IDEMPOTENCY_TTL_MS,
    });
    return { replay: null, result: done.result };
  }

  return { run, keyOf };
}

export type Idempotency = ReturnType<typeof createIdempotency>;
