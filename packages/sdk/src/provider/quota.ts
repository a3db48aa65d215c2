import type { RateLimitState, RateLimitWindow, SdkVerifyAnswer } from './wire.ts';

type Lease = NonNullable<SdkVerifyAnswer['lease']>;
export type Admission = 'admitted' | 'limited' | 'refused';

/** Leases a token's units from Keyward (POST /v1/sdk/verify with `units`). */
export type LeaseSource = (token: string, units: number) => Promise<SdkVerifyAnswer>;

const GOOD = new Set(['VALID', 'INSUFFICIENT_SCOPE', 'RATE_LIMITED']);
const MAX_PREFETCH = 1000;

/**
 * One token's leased units in this process (ADR 0011). A request takes a unit without any call
 * while the lease lasts; waiting requests share one lease call, sized to them (plus a prefetch that
 * doubles while leases are used up, so steady traffic needs ever fewer calls). Units are never used
 * past their lease's end, so a window's units are never spent in the next.
 */
export function createQuotaPool(source: LeaseSource, now: () => number) {
  let token = '';
  let units = 0;
  let expiresAt = 0;
  let unlimited = false;
  let blockedUntil = 0;
  let windows: RateLimitWindow[] = [];
  let retryAfter: number | null = null;
  let leasedAt = 0;
  let prefetch = 0;
  let refilling = false;
  let calls = 0;
  const waiters: ((admission: Admission) => void)[] = [];

  function absorb(lease: Lease, secret: string): void {
    token = secret;
    const at = now();
    unlimited = lease.unlimited;
    windows = lease.windows;
    leasedAt = at;
    retryAfter = lease.retry_after_seconds;
    if (lease.granted > 0) {
      // Leftovers of an earlier lease end with it; fresh units live until the new lease ends.
      units = (at < expiresAt ? units : 0) + lease.granted;
      expiresAt = at + lease.expires_in_ms;
    } else if (!unlimited && retryAfter !== null) {
      blockedUntil = at + retryAfter * 1000;
    }
  }

  function takeNow(): boolean {
    if (unlimited) return true;
    if (units > 0) {
      units--;
      return true;
    }
    return false;
  }

  function settle(admission: Admission): void {
    for (const waiter of waiters.splice(0)) waiter(admission);
  }

  async function refill(): Promise<void> {
    refilling = true;
    try {
      while (waiters.length > 0) {
        const wanted = waiters.length + prefetch;
        calls++;
        const answer = await source(token, Math.min(wanted, 10_000));
        if (!GOOD.has(answer.code) || answer.lease === null) return settle('refused');
        absorb(answer.lease, token);
        if (answer.lease.granted === 0 && !unlimited) return settle('limited');
        // Demand ate the whole lease: ask for more next time; a lease that outlived its use asks less.
        prefetch =
          answer.lease.granted >= wanted ? Math.min(MAX_PREFETCH, Math.max(4, prefetch * 2)) : prefetch;
        while (waiters.length > 0 && takeNow()) waiters.shift()?.('admitted');
      }
    } catch {
      // Keyward unreachable: nothing may be admitted beyond what was leased.
      settle('limited');
    } finally {
      refilling = false;
    }
  }

  /** Steady traffic: the next lease is asked for before this one runs out, so no request waits. */
  function topUp(): void {
    if (refilling || prefetch === 0 || unlimited || units > prefetch / 2 || now() < blockedUntil) return;
    refilling = true;
    calls++;
    const wanted = Math.min(prefetch, 10_000);
    source(token, wanted)
      .then((answer) => {
        if (!GOOD.has(answer.code) || answer.lease === null) return;
        absorb(answer.lease, token);
        // Granted in full: traffic keeps up, so the next lease may be larger (fewer calls).
        if (answer.lease.granted >= wanted) prefetch = Math.min(MAX_PREFETCH, prefetch * 2);
      })
      .catch(() => undefined)
      .finally(() => {
        refilling = false;
        while (waiters.length > 0 && takeNow()) waiters.shift()?.('admitted');
        if (waiters.length > 0) void refill();
      });
  }

  return {
    absorb,
    /** A unit at once, without any call: null when only a lease call can tell (see `take`). `at`: now, if known. */
    tryTake(at: number = now()): Admission | null {
      if (at >= expiresAt && !unlimited) {
        units = 0;
        if (prefetch > 0 && at - leasedAt > 2 * 60_000) prefetch = 0;
      }
      if (takeNow()) {
        topUp();
        return 'admitted';
      }
      if (at < blockedUntil) return 'limited';
      return null;
    },
    /** A unit for one request: at once from the lease, else after one shared lease call. */
    take(): Admission | Promise<Admission> {
      const at = this.tryTake();
      if (at !== null) return at;
      const waiting = new Promise<Admission>((resolve) => waiters.push(resolve));
      if (!refilling) void refill();
      return waiting;
    },
    /** The token's most restrictive window as verify answers state it, counting unused leased units. */
    rateLimit(limited: boolean): RateLimitState | null {
      const first = windows[0];
      if (!first) return null;
      const elapsed = Math.floor((now() - leasedAt) / 1000);
      const reset = Math.max(1, first.reset_seconds - elapsed);
      return {
        limit: first.limit,
        remaining: limited ? 0 : Math.min(first.limit, first.remaining + units),
        reset_seconds: reset,
        retry_after_seconds: limited ? Math.max(1, Math.ceil((blockedUntil - now()) / 1000)) || reset : null,
      };
    },
    /** Whether the token has windows (no RateLimit fields without). */
    hasWindows: () => windows.length > 0,
    /** Every window, for the RateLimit and RateLimit-Policy fields. */
    windows(limited: boolean): RateLimitWindow[] {
      const elapsed = Math.floor((now() - leasedAt) / 1000);
      return windows.map((w, i) => ({
        ...w,
        remaining: limited && i === 0 ? 0 : Math.min(w.limit, w.remaining + units),
        reset_seconds: Math.max(1, w.reset_seconds - elapsed),
      }));
    },
    retryAfterSeconds: () => retryAfter,
    calls: () => calls,
  };
}

export type QuotaPool = ReturnType<typeof createQuotaPool>;
