/**
 * Rate-limit maths: anchored fixed windows over integer milliseconds, several windows at once, and
 * the IETF RateLimit header values. Pure: stores hold two integers per window (its start and the
 * units counted in it) and apply the decision atomically. See docs/adr/0005.
 *
 * A window of a (key, policy) begins with the first request that is counted against it, admits at
 * most `limit` units, and ends `windowSeconds` after it began; the next counted request after that
 * begins a new window. A request is admitted only if every window has room for it; a refused
 * request changes nothing.
 */

/** `limit` requests per `windowSeconds`; `name` labels it in the RateLimit headers (default "60s"). */
export type RateLimitPolicy = { limit: number; windowSeconds: number; name?: string };

export const RATE_LIMIT_MAX_WINDOW_SECONDS = 86_400;
export const RATE_LIMIT_MAX_LIMIT = 1_000_000_000;
const MS_PER_SECOND = 1_000;

/** Why a policy is not acceptable, or null when it is (for API input validation and stores alike). */
export function rateLimitPolicyProblem(policy: RateLimitPolicy): string | null {
  const { limit, windowSeconds } = policy;
  if (!Number.isInteger(limit) || limit < 1 || limit > RATE_LIMIT_MAX_LIMIT)
    return `limit must be an integer from 1 to ${RATE_LIMIT_MAX_LIMIT}`;
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > RATE_LIMIT_MAX_WINDOW_SECONDS)
    return `windowSeconds must be an integer from 1 to ${RATE_LIMIT_MAX_WINDOW_SECONDS}`;
  return null;
}

/** Throws a RangeError for a policy or cost no store can apply: a programming or configuration fault. */
export function assertRateLimitInput(policies: readonly RateLimitPolicy[], cost: number): void {
  if (!Number.isInteger(cost) || cost < 0) throw new RangeError('cost must be a non-negative integer');
  for (const policy of policies) {
    const problem = rateLimitPolicyProblem(policy);
    if (problem !== null) throw new RangeError(`Invalid rate-limit policy: ${problem}`);
    if (cost > policy.limit)
      throw new RangeError(`cost ${cost} exceeds the limit ${policy.limit} and could never be admitted`);
  }
}

export function policyName(policy: RateLimitPolicy): string {
  return policy.name ?? `${policy.windowSeconds}s`;
}

/** Names policies after their scope and window ("token-60s"), so headers tell token from project limits. */
export function namePolicies(scope: string, policies: readonly RateLimitPolicy[]): RateLimitPolicy[] {
  return policies.map((p) => ({
    limit: p.limit,
    windowSeconds: p.windowSeconds,
    name: `${scope}-${policyName(p)}`,
  }));
}

/** A policy's window length in milliseconds. */
export function windowLengthMs(policy: RateLimitPolicy): number {
  return policy.windowSeconds * MS_PER_SECOND;
}

export type RateLimitWindowResult = {
  name: string;
  limit: number;
  windowSeconds: number;
  /** Units this window still admits before it ends; 0 at the limit. */
  remaining: number;
  /**
   * Seconds until this window ends and `remaining` is back at `limit` (rounded up, so ≥ 1 for a
   * window that has begun). A window that has not begun reports `windowSeconds`: the window the
   * next counted request would begin.
   */
  resetSeconds: number;
  /** Seconds until this window would admit the refused request (its end); null when it does not block. */
  retryAfterSeconds: number | null;
};

export type RateLimitResult =
  | {
      allowed: true;
      retryAfterSeconds: null;
      /** The window with the least headroom; null when no policy applies. */
      mostRestrictive: RateLimitWindowResult | null;
      windows: RateLimitWindowResult[];
    }
  | {
      allowed: false;
      retryAfterSeconds: number;
      /** The window that blocks the longest. */
      mostRestrictive: RateLimitWindowResult;
      windows: RateLimitWindowResult[];
    };

/**
 * One window's state: when it began (integer milliseconds, the store's clock) and the units
 * counted in it. Stores keep it until `start + windowSeconds × 1000`, when it ends.
 */
export type RateLimitWindowState = { start: number; count: number };

/**
 * The units a check must find room for. A cost-0 check (a "peek") charges nothing but is refused
 * when a window has no room left for a single unit, so callers can ask "would the next one pass?".
 */
function unitsNeeded(cost: number): number {
  return Math.max(cost, 1);
}

/** The window in force at `nowMs`: the stored one while it lasts, else a new one beginning now, empty. */
export function currentWindow(
  policy: RateLimitPolicy,
  stored: RateLimitWindowState | null | undefined,
  nowMs: number,
): RateLimitWindowState {
  if (stored == null || nowMs >= stored.start + windowLengthMs(policy)) return { start: nowMs, count: 0 };
  return stored;
}

export type RateLimitSummaryInput = {
  nowMs: number;
  policies: readonly RateLimitPolicy[];
  /** Each window in force after the check, as `decideRateLimit` returns them in `states`. */
  states: readonly RateLimitWindowState[];
  cost: number;
  allowed: boolean;
};

/**
 * Turns the windows in force after a check into its result. `decideRateLimit` and the Redis store
 * (whose script returns the same states) share it, so both answer alike.
 */
export function summarizeRateLimit({
  nowMs,
  policies,
  states,
  cost,
  allowed,
}: RateLimitSummaryInput): RateLimitResult {
  const need = unitsNeeded(cost);
  const windows = policies.map((policy, i): RateLimitWindowResult => {
    const { start, count } = states[i] ?? { start: nowMs, count: 0 };
    const resetSeconds = Math.min(
      policy.windowSeconds,
      Math.max(1, Math.ceil((start + windowLengthMs(policy) - nowMs) / MS_PER_SECOND)),
    );
    return {
      name: policyName(policy),
      limit: policy.limit,
      windowSeconds: policy.windowSeconds,
      remaining: Math.max(0, policy.limit - count),
      resetSeconds,
      retryAfterSeconds: !allowed && count + need > policy.limit ? resetSeconds : null,
    };
  });
  let blocking: RateLimitWindowResult | null = null;
  for (const w of windows) {
    if (
      w.retryAfterSeconds !== null &&
      (blocking === null || w.retryAfterSeconds > (blocking.retryAfterSeconds ?? 0))
    )
      blocking = w;
  }
  if (!allowed) {
    if (blocking === null || blocking.retryAfterSeconds === null)
      throw new Error('A refused rate-limit check must have a window without room');
    return {
      allowed: false,
      retryAfterSeconds: blocking.retryAfterSeconds,
      mostRestrictive: blocking,
      windows,
    };
  }
  let tightest: RateLimitWindowResult | null = null;
  for (const w of windows) {
    if (
      tightest === null ||
      w.remaining < tightest.remaining ||
      (w.remaining === tightest.remaining && w.resetSeconds > tightest.resetSeconds)
    )
      tightest = w;
  }
  return { allowed: true, retryAfterSeconds: null, mostRestrictive: tightest, windows };
}

export type RateLimitDecisionInput = {
  /** Current time in integer milliseconds (the store's clock: the injected clock, or Redis TIME). */
  nowMs: number;
  policies: readonly RateLimitPolicy[];
  /** The stored state of each policy's window, null when none is stored (or it has ended). */
  windows: readonly (RateLimitWindowState | null)[];
  /** Units to charge; 0 charges nothing and is refused when a window is full (a peek). Default 1. */
  cost?: number;
};

export type RateLimitDecision = {
  result: RateLimitResult;
  /** Each window in force after the check (a new one is shown beginning now, even when not stored). */
  states: RateLimitWindowState[];
  /** The states to store, one per policy; null when nothing changes (refused, or cost 0). */
  next: RateLimitWindowState[] | null;
};

/**
 * The decision: admitted only if every window has room for `cost` (for at least one unit when
 * `cost` is 0), in which case every window is charged `cost`; a refused request changes nothing.
 * The Redis script (packages/ratelimit) performs exactly these integer steps.
 */
export function decideRateLimit({
  nowMs,
  policies,
  windows,
  cost = 1,
}: RateLimitDecisionInput): RateLimitDecision {
  const need = unitsNeeded(cost);
  const current = policies.map((policy, i) => currentWindow(policy, windows[i], nowMs));
  const allowed = policies.every((policy, i) => (current[i]?.count ?? 0) + need <= policy.limit);
  const charge = allowed && cost > 0;
  const states = current.map((w) => ({ start: w.start, count: charge ? w.count + cost : w.count }));
  return {
    result: summarizeRateLimit({ nowMs, policies, states, cost, allowed }),
    states,
    next: charge ? states.map((s) => ({ ...s })) : null,
  };
}

// RFC 8941 sf-string: printable ASCII with `"` and `\` escaped; anything else is replaced.
function sfString(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '_');
  return `"${printable.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** `RateLimit-Policy` field value (draft-ietf-httpapi-ratelimit-headers): `"60s";q=100;w=60, …`. */
export function formatRateLimitPolicyHeader(
  windows: readonly Pick<RateLimitWindowResult, 'name' | 'limit' | 'windowSeconds'>[],
): string {
  return windows.map((w) => `${sfString(w.name)};q=${w.limit};w=${w.windowSeconds}`).join(', ');
}

/** `RateLimit` field value: `"60s";r=0;t=30, …`. */
export function formatRateLimitHeader(
  windows: readonly Pick<RateLimitWindowResult, 'name' | 'remaining' | 'resetSeconds'>[],
): string {
  return windows.map((w) => `${sfString(w.name)};r=${w.remaining};t=${w.resetSeconds}`).join(', ');
}

export type RateLimitHeaderOptions = {
  /** 'all' lists every window, most restrictive first; 'most-restrictive' lists only that one. */
  windows?: 'all' | 'most-restrictive';
};

/** Response headers for a result: RateLimit-Policy, RateLimit and, on refusal, Retry-After. */
export function rateLimitHeaders(
  result: RateLimitResult,
  { windows = 'all' }: RateLimitHeaderOptions = {},
): Record<string, string> {
  const first = result.mostRestrictive;
  if (first === null) return {};
  const listed = windows === 'all' ? [first, ...result.windows.filter((w) => w !== first)] : [first];
  const headers: Record<string, string> = {
    'RateLimit-Policy': formatRateLimitPolicyHeader(listed),
    RateLimit: formatRateLimitHeader(listed),
  };
  if (!result.allowed) headers['Retry-After'] = String(result.retryAfterSeconds);
  return headers;
}
