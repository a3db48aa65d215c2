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

export type NodeLeaseInput = {
  /** Units this check still lacks on this node (at least 1). */
  shortfall: number;
  /** Units the waiting checks on this node want in all, this one included. */
  demand: number;
  /** The node's previous grant for this window (0 for none). */
  lastGrant: number;
  /** What the shared window had left at the last look (the limit when never looked). */
  remaining: number;
  /** Live nodes sharing the window. */
  nodes: number;
};

/**
 * Units a node asks the shared window for (ADR 0016): what its waiting checks need, doubling while
 * it keeps coming back (slow start), but at most a `LEASE_SHARE × nodes`-th of what is left, so
 * an idle node never sits on much of a limit the others need. Never less than the shortfall.
 */
export function nodeLeaseWant({ shortfall, demand, lastGrant, remaining, nodes }: NodeLeaseInput): number {
  const share = Math.max(1, Math.ceil(remaining / (LEASE_SHARE * Math.max(1, nodes))));
  const want = Math.min(Math.max(demand, 2 * lastGrant, 1), share, MAX_LEASE_UNITS);
  return Math.max(shortfall, want);
}

/** A window asked for units: where its state lives, its limit and length, and the units wanted. */
export type LeaseRequest = { key: string; limit: number; windowMs: number; want: number };

/**
 * A shared window after an ask, in the store's clock: when it began, its count (every node's
 * grants) and the units granted to this ask (0 when it was full).
 */
export type LeaseGrant = { key: string; start: number; count: number; granted: number; nowMs: number };

/** Durable shared windows (ADR 0016, packages/ratelimit spends them, packages/storage keeps them): each ask is atomic, so grants never add up past a limit. */
export interface LeaseStore {
  /** Answers every request (in any order), granting what each window has left up to `want`. */
  grant(requests: readonly LeaseRequest[]): Promise<LeaseGrant[]>;
  /** Gives unspent units back to a window that has not ended (a node shutting down). */
  refund(key: string, start: number, units: number): Promise<void>;
  /** Deletes windows that have ended; returns how many. */
  prune(): Promise<number>;
}
