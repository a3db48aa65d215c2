import './tick-shape.ts';
import { hash } from 'node:crypto';
import { openChangeStream } from './change-stream.ts';
import { createErrorReporter, type ProviderErrorReport, safeContext } from './error-reporter.ts';
import { admitted, type Check, dated, grantFor, misplaced, refusal } from './local-answers.ts';
import { createQuotaPool, type QuotaPool } from './quota.ts';
import { type CachedToken, cachedTokenOf, createTokenCache, Grant } from './token-cache.ts';
import { createUsageReporter } from './usage-reporter.ts';
import type { SdkVerifyAnswer, VerifyCode, VerifyResult } from './wire.ts';

export type { Check } from './local-answers.ts';

export type KeywardOptions = {
  /** Where Keyward answers, e.g. `https://keyward.internal:8080`. */
  baseUrl: string;
  /** A token of the provider's project holding `tokens:verify` (and `errors:write` for error capture). */
  token: string;
  fetch?: typeof fetch;
  /** A cached token is asked about again after this long at the latest (default 60 s). */
  cacheTtlMs?: number;
  /** Tokens kept in memory (default 10,000); past it the oldest goes. */
  maxCacheEntries?: number;
  /** Subscribe to Keyward's change stream (default true). Without it nothing is answered from cache. */
  changeStream?: boolean;
  usageFlushIntervalMs?: number;
  errorFlushIntervalMs?: number;
  maxQueuedErrors?: number;
  timeoutMs?: number;
  /** Told about background failures (stream down, a batch not delivered); never given a secret. */
  onError?: (error: Error) => void;
};

export type VerifyContext = {
  /**
   * The caller's address, checked against the token's IP allowlist (cached answers too). Without
   * it a token restricted to an allowlist is refused with IP_NOT_ALLOWED.
   */
  ip?: string | null;
};

const MAX_TOKEN_LENGTH = 512;
const GOOD = new Set<VerifyCode>(['VALID', 'INSUFFICIENT_SCOPE', 'RATE_LIMITED']);
/** The cache key: SHA-256 of the secret (the secret itself is never kept), as 32 latin1 ("binary") characters. */
const hashOf = (token: string): string => hash('sha256', token, 'binary');

/** /^[\x21-\x7e]+$/ without a regular expression (it is on every request's path). */
function printable(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** A provider's handle on Keyward: in-process `verify`, instant revocation, exact limits, reports. */
export function createKeyward(options: KeywardOptions) {
  const root = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? fetch;
  const cacheTtlMs = options.cacheTtlMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const cache = createTokenCache(options.maxCacheEntries ?? 10_000);
  const pools = new Map<string, QuotaPool>();
  const misses = new Map<string, Promise<SdkVerifyAnswer>>();
  const counters = { networkCalls: 0, cachedAnswers: 0 };

  async function post<T>(path: string, body: unknown): Promise<T> {
    counters.networkCalls++;
    const response = await fetchImpl(`${root}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`Keyward answered ${path} with ${response.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }

  const stream =
    options.changeStream === false
      ? null
      : openChangeStream({
          url: `${root}/v1/sdk/changes`,
          token: options.token,
          fetch: fetchImpl,
          onChange: (change) => cache.apply(change),
          onResync: () => cache.clear(),
          onTrust: () => cache.clear(),
          ...(options.onError ? { onError: options.onError } : {}),
        });
  const trusted = () => stream?.trusted() === true;

  const usage = createUsageReporter({
    send: (body) => post('/v1/sdk/usage', body).then(() => undefined),
    flushIntervalMs: options.usageFlushIntervalMs ?? 5_000,
  });
  const errors = createErrorReporter({
    send: (body) => post('/v1/sdk/errors', body).then(() => undefined),
    flushIntervalMs: options.errorFlushIntervalMs ?? 2_000,
    ...(options.maxQueuedErrors ? { maxQueued: options.maxQueuedErrors } : {}),
  });

  const lease = (token: string, units: number) => post<SdkVerifyAnswer>('/v1/sdk/verify', { token, units });

  function poolFor(tokenId: string): QuotaPool {
    let pool = pools.get(tokenId);
    if (pool === undefined) {
      pool = createQuotaPool(lease, Date.now);
      pools.set(tokenId, pool);
    }
    return pool;
  }

  /** One call for every concurrent request with the same token; a good token is cached after it. */
  function miss(token: string, hash: string): Promise<SdkVerifyAnswer> {
    const pending = misses.get(hash);
    if (pending) return pending;
    const startEpoch = cache.epoch();
    const call = lease(token, 1)
      .then((answer) => {
        const entry = GOOD.has(answer.code) ? cachedTokenOf(answer, Date.now()) : null;
        if (entry && answer.lease) {
          poolFor(entry.tokenId).absorb(answer.lease, token);
          if (trusted() && cache.epoch() === startEpoch) cache.set(hash, entry);
        }
        return answer;
      })
      .finally(() => misses.delete(hash));
    misses.set(hash, call);
    return call;
  }

  /** The decision about a good token, made here: dates, address, scopes, then a unit of its limits. */
  async function decideLocally(
    entry: CachedToken,
    required: readonly string[],
    context: VerifyContext,
  ): Promise<Check | null> {
    const early = dated(entry, Date.now()) ?? misplaced(entry, context.ip);
    if (early) return early;
    const pool = poolFor(entry.tokenId);
    const admission = await pool.take();
    return admission === 'refused'
      ? null
      : admitted(entry, grantFor(entry, required).missing, pool, admission);
  }

  const wellFormed = (token: string) =>
    token.length > 0 && token.length <= MAX_TOKEN_LENGTH && printable(token);

  /**
   * The answer without waiting (cached token, unit at hand), or null when only a call can answer;
   * its usage is recorded. A token admitted with every required scope is answered by its Grant for
   * `required` (kept with the cache entry, nothing built per request); any refusal as a Check.
   */
  function decideNow(token: string, required: readonly string[], ip: string | null): Grant | Check | null {
    if (!wellFormed(token)) return refusal('MALFORMED', null);
    if (!trusted()) return null;
    const entry = cache.get(hashOf(token));
    if (entry === undefined) return null;
    const at = Date.now();
    if (at - entry.storedAt >= cacheTtlMs) return null;
    let decided: Grant | Check | null = dated(entry, at) ?? misplaced(entry, ip);
    if (decided === null) {
      const pool = poolOf(entry);
      const admission = pool.tryTake(at);
      if (admission === null) return null;
      const grant = grantFor(entry, required);
      decided =
        admission === 'admitted' && grant.missing.length === 0
          ? grant
          : admitted(entry, grant.missing, pool, admission);
    }
    counters.cachedAnswers++;
    usage.record(entry.tokenId, decided instanceof Grant ? 'VALID' : decided.result.code, ip, at);
    return decided;
  }

  /** The pool of a cached token's id (kept on the entry: a token id's pool never changes). */
  function poolOf(entry: CachedToken): QuotaPool {
    let pool = entry.pool;
    if (pool === null) {
      pool = poolFor(entry.tokenId);
      entry.pool = pool;
    }
    return pool;
  }

  function checkNow(token: string, required: readonly string[], context: VerifyContext): Check | null {
    const decided = decideNow(token, required, context.ip ?? null);
    if (!(decided instanceof Grant)) return decided;
    return admitted(decided.entry, decided.missing, poolOf(decided.entry), 'admitted');
  }

  async function checkWithCalls(
    token: string,
    required: readonly string[],
    context: VerifyContext,
  ): Promise<Check> {
    const hash = hashOf(token);
    let answer: SdkVerifyAnswer | null = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      let entry = trusted() ? cache.get(hash) : undefined;
      if (entry && Date.now() - entry.storedAt >= cacheTtlMs) {
        cache.delete(hash);
        entry = undefined;
      }
      if (!entry) {
        answer = await miss(token, hash);
        entry = GOOD.has(answer.code) ? (cachedTokenOf(answer, Date.now()) ?? undefined) : undefined;
      }
      const decided = entry
        ? await decideLocally(entry, required, context)
        : refusal(answer?.code ?? 'NOT_FOUND', answer);
      // 'refused': the lease call found the token no longer good; ask again, uncached.
      if (decided === null) {
        cache.delete(hash);
        continue;
      }
      if (decided.result.token_id !== null)
        usage.record(decided.result.token_id, decided.result.code, context.ip ?? null, Date.now());
      return decided;
    }
    return refusal(answer?.code ?? 'NOT_FOUND', answer);
  }

  /** The check, answered at once when the cache can (no promise, no microtask), else after calls. */
  function check(
    token: string,
    required: readonly string[] = [],
    context: VerifyContext = {},
  ): Check | Promise<Check> {
    return checkNow(token, required, context) ?? checkWithCalls(token, required, context);
  }

  const keyward = {
    /** The same codes and fields as `POST /v1/verify`; cached tokens are answered without a call. */
    async verify(
      token: string,
      requiredScopes: readonly string[] = [],
      context: VerifyContext = {},
    ): Promise<VerifyResult> {
      const now = checkNow(token, requiredScopes, context);
      return now ? now.result : (await checkWithCalls(token, requiredScopes, context)).result;
    },
    check,
    /** Queues an error the provider answered for delivery to Keyward (never delays the answer). */
    reportError(report: ProviderErrorReport): void {
      errors.enqueue({ ...report, context: safeContext(report.context) });
    },
    /** Resolves true once the change stream is subscribed (cached answers start then). */
    ready: (timeoutMs = 5_000) => stream?.whenTrusted(timeoutMs) ?? Promise.resolve(false),
    async flush(): Promise<void> {
      await Promise.all([usage.flush(), errors.flush()]);
    },
    async close(): Promise<void> {
      stream?.close();
      await Promise.allSettled([usage.close(), errors.close()]);
    },
    stats: () => ({
      ...counters,
      cacheEntries: cache.size(),
      trusted: trusted(),
      usage: usage.stats(),
      errors: errors.stats(),
      stream: stream?.stats() ?? null,
    }),
  };
  internals.set(keyward, { decideNow, poolOf, checkWithCalls });
  return keyward;
}

export type Keyward = ReturnType<typeof createKeyward>;

/** What the middleware uses of a Keyward beyond its public methods (not part of the SDK's API). */
export type KeywardInternals = {
  decideNow(token: string, required: readonly string[], ip: string | null): Grant | Check | null;
  poolOf(entry: CachedToken): QuotaPool;
  checkWithCalls(token: string, required: readonly string[], context: VerifyContext): Promise<Check>;
};

const internals = new WeakMap<object, KeywardInternals>();

/** The internals of a Keyward made by `createKeyward` (undefined for any other object). */
export const internalsOf = (keyward: Keyward): KeywardInternals | undefined => internals.get(keyward);
