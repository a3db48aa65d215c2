import { leaseGrant, leaseLifetimeMs, type RateLimitResult } from '@keyward/core';
import type { RateLimitService, Subject } from '../../services/rate-limits.ts';

export type Lease = {
  granted: number;
  /** No limit applies: the client counts nothing and needs no more leases. */
  unlimited: boolean;
  expiresInMs: number;
  /** The state after the charge (or the refusal when nothing could be granted). */
  result: RateLimitResult | null;
};

/**
 * Charges up to `requested` units to every window of the subject at once. The check is all or
 * nothing, so the grant is sized from a peek and halved when other callers took units meanwhile.
 */
export async function leaseUnits(
  rateLimits: RateLimitService,
  subject: Subject,
  requested: number,
): Promise<Lease> {
  if (requested === 0) {
    const peek = await rateLimits.consumeUnits(subject, 0);
    return { granted: 0, unlimited: peek === null, expiresInMs: 0, result: peek };
  }
  let want = requested;
  if (requested > 1) {
    const peek = await rateLimits.consumeUnits(subject, 0);
    if (peek === null) return { granted: requested, unlimited: true, expiresInMs: 0, result: null };
    if (!peek.allowed) return { granted: 0, unlimited: false, expiresInMs: 0, result: peek };
    want = leaseGrant(requested, peek.mostRestrictive?.remaining ?? 0);
  }
  for (;;) {
    const result = await rateLimits.consumeUnits(subject, Math.max(want, 1));
    if (result === null) return { granted: requested, unlimited: true, expiresInMs: 0, result: null };
    if (result.allowed) {
      const expiresInMs = leaseLifetimeMs(result.windows.map((w) => w.resetSeconds));
      return { granted: Math.max(want, 1), unlimited: false, expiresInMs, result };
    }
    if (want <= 1) return { granted: 0, unlimited: false, expiresInMs: 0, result };
    want = Math.floor(want / 2);
  }
}
