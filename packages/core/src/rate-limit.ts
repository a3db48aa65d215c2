/**
 * Rate-limit maths: GCRA (the generic cell rate algorithm) over integer microseconds, several
 * windows at once, and the IETF RateLimit header values. Pure: stores hold one number per window
 * (the theoretical arrival time, TAT) and apply the decision atomically. See docs/adr/0005.
 */

/** `limit` requests per `windowSeconds`; `name` labels it in the RateLimit headers (default "60s"). */
export type RateLimitPolicy = { limit: number; windowSeconds: number; name?: string };

export const RATE_LIMIT_MAX_WINDOW_SECONDS = 86_400;
export const RATE_LIMIT_MAX_LIMIT = 1_000_000_000;
export const MICROS_PER_SECOND = 1_000_000;

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

/**
 * The spacing between admitted requests at the sustained rate. Rounded up so that all arithmetic
 * stays in integers (identical in TypeScript and Lua, no float drift) and the rate never exceeds
 * the policy; the capacity `limit × interval` keeps a burst at exactly `limit`.
 */
export function emissionIntervalMicros(policy: RateLimitPolicy): number {
  return Math.ceil((policy.windowSeconds * MICROS_PER_SECOND) / policy.limit);
}

export type RateLimitWindowResult = {
  name: string;
  limit: number;
  windowSeconds: number;
  /** Requests admitted right now before this window refuses; 0 at the limit. */
  remaining: number;
  /** Seconds until this window is fully replenished (remaining = limit). */
  resetSeconds: number;
  /** Seconds until this window would admit the refused request; null when it does not block. */
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
 * What a store reports per window after applying (or not) a check, in microseconds:
 * `debt` is TAT − now after the check (0 ≤ debt ≤ capacity when admitted), `excess` is how far the
 * request would overrun the capacity (> 0 exactly when this window refuses it).
 */
export type GcraWindowOutcome = { debt: number; excess: number };

/** Turns per-window outcomes into the result; memory and Redis stores share it so they answer alike. */
export function summarizeRateLimit(
  policies: readonly RateLimitPolicy[],
  outcomes: readonly GcraWindowOutcome[],
): RateLimitResult {
  const windows = policies.map((policy, i): RateLimitWindowResult => {
    const { debt, excess } = outcomes[i] ?? { debt: 0, excess: 0 };
    const interval = emissionIntervalMicros(policy);
    const remaining = Math.min(policy.limit, Math.max(0, policy.limit - Math.ceil(debt / interval)));
    return {
      name: policyName(policy),
      limit: policy.limit,
      windowSeconds: policy.windowSeconds,
      remaining,
      resetSeconds: Math.max(0, Math.ceil(debt / MICROS_PER_SECOND)),
      retryAfterSeconds: excess > 0 ? Math.ceil(excess / MICROS_PER_SECOND) : null,
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
  if (blocking !== null && blocking.retryAfterSeconds !== null)
    return {
      allowed: false,
      retryAfterSeconds: blocking.retryAfterSeconds,
      mostRestrictive: blocking,
      windows,
    };
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
  /** Current time in integer microseconds. */
  nowMicros: number;
  policies: readonly RateLimitPolicy[];
  /** The stored TAT of each policy's window (microseconds), null when none is stored. */
  tats: readonly (number | null)[];
  cost?: number;
};

export type RateLimitDecision = {
  result: RateLimitResult;
  outcomes: GcraWindowOutcome[];
  /** The TATs to store when admitted; null when refused (a refused request consumes nothing). */
  nextTats: number[] | null;
};

/**
 * The decision: admitted only if every window admits it, in which case every window is charged
 * `cost`. The Redis script (packages/ratelimit) performs exactly these integer steps.
 */
export function decideRateLimit({
  nowMicros,
  policies,
  tats,
  cost = 1,
}: RateLimitDecisionInput): RateLimitDecision {
  const steps = policies.map((policy, i) => {
    const interval = emissionIntervalMicros(policy);
    const tat = Math.max(tats[i] ?? nowMicros, nowMicros);
    const nextTat = tat + cost * interval;
    return { tat, nextTat, excess: nextTat - nowMicros - policy.limit * interval };
  });
  const allowed = steps.every((s) => s.excess <= 0);
  const outcomes = steps.map((s) => ({ debt: (allowed ? s.nextTat : s.tat) - nowMicros, excess: s.excess }));
  return {
    result: summarizeRateLimit(policies, outcomes),
    outcomes,
    nextTats: allowed ? steps.map((s) => s.nextTat) : null,
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
