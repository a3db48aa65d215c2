/**
 * Quota leases (ADR 0011): an SDK process is handed units of a token's limits ahead of use, so a
 * cached answer still counts without a call per request. Every leased unit was charged to the
 * shared windows, so no more than the limit is ever admitted; a grant is at most a quarter of
 * what is left, so under contention the rest stays for the other processes and doors.
 */
export const MAX_LEASE_UNITS = 10_000;
export const LEASE_SHARE = 4;

/** Units to charge for a lease of `requested` when the tightest window has `remaining` left. */
export function leaseGrant(requested: number, remaining: number): number {
  if (requested <= 0 || remaining <= 0) return 0;
  return Math.min(requested, MAX_LEASE_UNITS, remaining, Math.max(1, Math.ceil(remaining / LEASE_SHARE)));
}

/**
 * How long leased units may be used: until shortly before the first of the charged windows ends
 * (`resetSeconds` are rounded up, so the window may end a second earlier), never after it, so a
 * unit of one window is never spent in the next. Units handed to waiting requests are spent at once.
 */
export function leaseLifetimeMs(resetSeconds: readonly number[], marginMs = 250): number {
  if (resetSeconds.length === 0) return 0;
  return Math.max(0, (Math.min(...resetSeconds) - 1) * 1000 - marginMs);
}

/**
 * Scopes of the tokens a provider's own servers use to call Keyward (verification, change stream,
 * leases, usage and error reports). The per-token default limit is meant for API callers: these
 * tokens are not capped by it (an own limit still applies). Named exactly: `*:*` is not one.
 */
export const KEYWARD_CALLER_SCOPES: readonly string[] = ['tokens:verify', 'errors:write'];

export function callsKeyward(scopes: readonly string[]): boolean {
  return scopes.some((scope) => KEYWARD_CALLER_SCOPES.includes(scope));
}
