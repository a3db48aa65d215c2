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
import type { Storage, TokenLookup } from '@keyward/storage';

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
 * Any change to a token, its owner or its role must call `invalidate` before the change is
 * acknowledged, so the very next request on this node sees it.
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
    const entry = trusted ? cache.get(hash) : undefined;
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

  const listeners: ((change: CacheChange) => void)[] = [];
  const changeListeners: ((change: CacheChange) => void)[] = [];
  const trustListeners: ((trusted: boolean) => void)[] = [];

  /** Drops what `change` touched from this node's cache, then tells listeners (the other nodes). */
  function invalidate(change: CacheChange, { broadcast = true } = {}): void {
    epoch++;
    if ('tokenId' in change) {
      for (const hash of [...(hashesByToken.get(change.tokenId) ?? [])]) forget(hash);
    } else {
      const matches = matcher(change);
      for (const [hash, entry] of [...cache]) if (matches(entry.lookup.state)) forget(hash);
    }
    if (broadcast) for (const listener of listeners) listener(change);
    for (const listener of changeListeners) listener(change);
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
    /** Called with every local change, to fan it out to the other nodes. */
    onInvalidate(listener: (change: CacheChange) => void) {
      listeners.push(listener);
    },
    /**
     * While the node cannot hear the other nodes' changes it must not answer from its cache:
     * every verification reads the database until trust is restored.
     */
    setCacheTrusted(value: boolean) {
      if (trusted !== value) invalidateAll();
      trusted = value;
      for (const listener of trustListeners) listener(value);
    },
    /** Called with every change this node applies, local or heard from the bus (SDK change streams). */
    onChange(listener: (change: CacheChange) => void) {
      changeListeners.push(listener);
    },
    /** Called whenever the node's trust in its cache is set (SDK streams tell their clients). */
    onTrustChange(listener: (trusted: boolean) => void) {
      trustListeners.push(listener);
    },
    setAcceptsLegacyKeys(value: boolean) {
      acceptsLegacyKeys = value;
    },
    cacheSize: () => cache.size,
  };
}

export type Verifier = ReturnType<typeof createVerifier>;
