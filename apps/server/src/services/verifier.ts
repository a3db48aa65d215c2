/**
 * HOW A CHANGE REACHES EVERY NODE (ADR 0007) — the one call for anything that changes whether or
 * how a token verifies (revoke, rotate, scopes, roles, members, users, allowlists, metadata…):
 *
 *   await deps.storage.transaction(async (tx) => {
 *     const changed = await tx.tokens.revoke(...);
 *     if (changed) await deps.verifier.invalidate({ tokenId }, tx);
 *   });
 *
 * The change is written to the change log in that transaction; once committed, this node drops
 * what it touched before the caller goes on and the others learn it within 100 ms. Listen with
 * `onChange(change, sequence?)` (every change applied here) and `onTrustChange(trusted)`.
 */
import { hash as oneShotHash } from 'node:crypto';
import {
  candidateHashes,
  decide,
  isAcceptableLegacyKey,
  type PepperRing,
  parseToken,
  type Scope,
  type TokenState,
  type VerifyOutcome,
} from '@keyward/core';
import type { Repositories, Storage, TokenLookup } from '@keyward/storage';

export type VerifyResult = {
  outcome: VerifyOutcome;
  /** The stored state when the token was found (also for refused tokens, e.g. revoked). */
  lookup: TokenLookup | null;
  /** Whether the answer came from the cache, without touching the database. */
  cached: boolean;
};

/** What changed, in terms every node can apply to its own cache. */
export type CacheChange = { tokenId: string } | { ownerId: string } | { projectId: string; ownerId?: string };

export type VerifierOptions = {
  storage: Storage;
  peppers: PepperRing;
  now: () => number;
  cacheTtlMs: number;
  maxCacheEntries?: number;
};

function matcher(change: CacheChange): (state: TokenState) => boolean {
  if ('tokenId' in change) return (state) => state.tokenId === change.tokenId;
  if ('projectId' in change) {
    return (state) =>
      state.projectId === change.projectId && (!change.ownerId || state.ownerId === change.ownerId);
  }
  return (state) => state.ownerId === change.ownerId;
}

type CacheEntry = {
  lookup: TokenLookup;
  storedAt: number;
  /** Outcomes by required scopes: `decide` is pure, so they hold until the state or the clock changes it. */
  decisions: Map<string, VerifyOutcome>;
  /** The earliest time the state's own dates change the decision (expiry, end of a rotation grace). */
  stableUntil: number;
};

const MAX_DECISIONS_PER_ENTRY = 16;

/** The in-memory cache key: SHA-256 of the token (never stored; the pepper is for stored hashes). */
const cacheKey = (token: string): string => oneShotHash('sha256', token);

function frozen(outcome: VerifyOutcome): VerifyOutcome {
  if (outcome.principal) {
    Object.freeze(outcome.principal.scopes);
    Object.freeze(outcome.principal);
  }
  if (outcome.code === 'INSUFFICIENT_SCOPE') Object.freeze(outcome.missingScopes);
  return Object.freeze(outcome);
}

/**
 * The verification path: parse (no I/O) → positive cache → one shared database read → decide.
 *
 * Every change that affects verification (a token, its owner, its role, its project) calls
 * `invalidate(change, tx)` INSIDE the transaction that makes it (ADR 0007). The change is written
 * to the change log in that transaction; once it commits this node drops what it touched before
 * the caller goes on, and every other node learns it over the bus or, at the latest, from the
 * change log within 100 ms. If the commit fails, the change is neither made nor announced.
 */
export function createVerifier({
  storage,
  peppers,
  now,
  cacheTtlMs,
  maxCacheEntries = 200_000,
}: VerifierOptions) {
  const cache = new Map<string, CacheEntry>();
  const hashesByToken = new Map<string, Set<string>>();
  const inFlight = new Map<string, Promise<TokenLookup | null>>();
  let acceptsLegacyKeys = false;
  let trusted = true;
  // `performance.now()` until which cached answers may be given; the change feed moves it forward
  // each time it has confirmed this node is caught up (a single node never sets it).
  let trustDeadline = Number.POSITIVE_INFINITY;
  // Bumped by every invalidation; a read that started before it must not be cached.
  let epoch = 0;

  function remember(hash: string, lookup: TokenLookup): void {
    if (cache.size >= maxCacheEntries) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) forget(oldest);
    }
    const { expiresAt, secretExpiresAt } = lookup.state;
    cache.set(hash, {
      lookup,
      storedAt: now(),
      decisions: new Map(),
      stableUntil: Math.min(
        expiresAt ?? Number.POSITIVE_INFINITY,
        secretExpiresAt ?? Number.POSITIVE_INFINITY,
      ),
    });
    const tokenId = lookup.state.tokenId;
    const set = hashesByToken.get(tokenId) ?? new Set<string>();
    set.add(hash);
    hashesByToken.set(tokenId, set);
  }

  function forget(hash: string): void {
    const entry = cache.get(hash);
    if (!entry) return;
    cache.delete(hash);
    const set = hashesByToken.get(entry.lookup.state.tokenId);
    set?.delete(hash);
    if (set?.size === 0) hashesByToken.delete(entry.lookup.state.tokenId);
  }

  function readShared(token: string, hash: string): Promise<TokenLookup | null> {
    const pending = inFlight.get(hash);
    if (pending) return pending;
    const startEpoch = epoch;
    const read = storage.tokens
      .findByHashes(candidateHashes(token, peppers).map((h) => h.hash))
      .then((lookup) => {
        if (lookup && trusted && epoch === startEpoch) remember(hash, lookup);
        return lookup;
      })
      .finally(() => inFlight.delete(hash));
    inFlight.set(hash, read);
    return read;
  }

  function wellFormed(token: string): boolean {
    return parseToken(token).ok || (acceptsLegacyKeys && isAcceptableLegacyKey(token));
  }

  function cachedOutcome(entry: CacheEntry, at: number, requiredScopes: readonly Scope[]): VerifyOutcome {
    if (at >= entry.stableUntil) return decide({ state: entry.lookup.state, now: at, requiredScopes });
    const key = requiredScopes.length === 0 ? '' : requiredScopes.join(' ');
    let outcome = entry.decisions.get(key);
    if (outcome === undefined) {
      outcome = frozen(decide({ state: entry.lookup.state, now: at, requiredScopes }));
      if (entry.decisions.size < MAX_DECISIONS_PER_ENTRY) entry.decisions.set(key, outcome);
    }
    return outcome;
  }

  /** The answer without I/O (malformed, or cached), or the cache key the database read goes under. */
  function fromCache(token: string, requiredScopes: readonly Scope[]): VerifyResult | { hash: string } {
    if (!wellFormed(token))
      return { outcome: { valid: false, code: 'MALFORMED' }, lookup: null, cached: false };
    const hash = cacheKey(token);
    const entry = trusted && performance.now() < trustDeadline ? cache.get(hash) : undefined;
    const at = now();
    if (entry && at - entry.storedAt < cacheTtlMs) {
      return { outcome: cachedOutcome(entry, at, requiredScopes), lookup: entry.lookup, cached: true };
    }
    if (entry) forget(hash);
    return { hash };
  }

  /**
   * The answer when no I/O is needed: malformed, or a cached token. Null when the database must be
   * asked; `verify` does that. Cached outcomes are frozen and shared: read them, never change them.
   */
  function verifyNow(token: string, requiredScopes: readonly Scope[] = []): VerifyResult | null {
    const answer = fromCache(token, requiredScopes);
    return 'hash' in answer ? null : answer;
  }

  /**
   * `beforeRead` runs only when the database must be asked (not for malformed or cached tokens);
   * it may throw to refuse the request first, e.g. when the caller's address is throttled.
   */
  async function verify(
    token: string,
    requiredScopes: readonly Scope[] = [],
    beforeRead?: () => Promise<void>,
  ): Promise<VerifyResult> {
    const answer = fromCache(token, requiredScopes);
    if (!('hash' in answer)) return answer;
    if (beforeRead && !inFlight.has(answer.hash)) await beforeRead();
    const lookup = await readShared(token, answer.hash);
    return {
      outcome: decide({ state: lookup?.state ?? null, now: now(), requiredScopes }),
      lookup,
      cached: false,
    };
  }

  const committedListeners: ((change: CacheChange, sequence: number) => void)[] = [];
  const changeListeners: ((change: CacheChange, sequence?: number) => void)[] = [];
  const trustListeners: ((trusted: boolean) => void)[] = [];

  /** Drops what `change` touched from this node's cache. */
  function drop(change: CacheChange): void {
    epoch++;
    if ('tokenId' in change) {
      for (const hash of [...(hashesByToken.get(change.tokenId) ?? [])]) forget(hash);
    } else {
      const matches = matcher(change);
      for (const [hash, entry] of [...cache]) if (matches(entry.lookup.state)) forget(hash);
    }
  }

  /** Applies a change here (made on this node or heard from another) and tells `onChange` listeners. */
  function applyChange(change: CacheChange, sequence?: number): void {
    drop(change);
    for (const listener of changeListeners) listener(change, sequence);
  }

  // Committed changes recorded through this storage: apply them before the caller goes on.
  storage.onCacheChanges((records) => {
    for (const record of records) {
      const change = record.change as CacheChange;
      applyChange(change, record.seq);
      for (const listener of committedListeners) listener(change, record.seq);
    }
  });

  const projectOf = (change: CacheChange): string | null => ('projectId' in change ? change.projectId : null);

  /**
   * THE call for a change that affects verification: pass the transaction that makes it. Without
   * `tx` (older call sites) the change is dropped here at once and recorded in its own
   * transaction: await the promise, a rejection means the other nodes may not have learnt it.
   */
  function invalidate(change: CacheChange, tx?: Repositories): Promise<void> {
    if (tx) return tx.cacheChanges.record(change, projectOf(change), Date.now());
    drop(change);
    const recorded = storage.cacheChanges.record(change, projectOf(change), Date.now());
    // Callers that do not await must not turn a failure into an unhandled rejection.
    recorded.catch(() => {});
    return recorded;
  }

  function invalidateAll(): void {
    epoch++;
    cache.clear();
    hashesByToken.clear();
  }

  return {
    verify,
    verifyNow,
    invalidate,
    invalidateAll,
    applyChange,
    /** Called with every change committed on this node and its sequence, to fan it out to the other nodes. */
    onInvalidate(listener: (change: CacheChange, sequence: number) => void) {
      committedListeners.push(listener);
    },
    /** Every change applied on this node, made here or heard from another node (the SDK change stream). */
    onChange(listener: (change: CacheChange, sequence?: number) => void) {
      changeListeners.push(listener);
    },
    /** Trust in the cache lost (answers read the database) or regained (the cache starts empty). */
    onTrustChange(listener: (trusted: boolean) => void) {
      trustListeners.push(listener);
    },
    /**
     * While the node cannot hear the other nodes' changes it must not answer from its cache:
     * every verification reads the database until trust is restored.
     */
    setCacheTrusted(value: boolean) {
      if (trusted === value) return;
      invalidateAll();
      trusted = value;
      for (const listener of trustListeners) listener(value);
    },
    /** The `performance.now()` past which the cache is not used unless the deadline moves again. */
    setTrustDeadline(at: number) {
      trustDeadline = at;
    },
    isCacheTrusted: () => trusted && performance.now() < trustDeadline,
    setAcceptsLegacyKeys(value: boolean) {
      acceptsLegacyKeys = value;
    },
    cacheSize: () => cache.size,
  };
}

export type Verifier = ReturnType<typeof createVerifier>;
