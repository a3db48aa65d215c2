import { createHash } from 'node:crypto';
import { openChangeStream } from './change-stream.ts';
import { createErrorReporter, type ProviderErrorReport } from './error-reporter.ts';
import { createQuotaPool, type QuotaPool } from './quota.ts';
import { missingScopes } from './scopes.ts';
import { type CachedToken, cachedTokenOf, createTokenCache } from './token-cache.ts';
import { createUsageReporter } from './usage-reporter.ts';
import type { RateLimitWindow, SdkVerifyAnswer, VerifyCode, VerifyResult } from './wire.ts';

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

export type VerifyContext = { ip?: string | null };

/** A verification as the middleware needs it: the answer and the RateLimit windows. */
export type Check = { result: VerifyResult; windows: RateLimitWindow[] };

const MAX_TOKEN_LENGTH = 512;
const PRINTABLE = /^[\x21-\x7e]+$/;
const GOOD = new Set<VerifyCode>(['VALID', 'INSUFFICIENT_SCOPE', 'RATE_LIMITED']);

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
  const trusted = () => stream !== null && stream.trusted();

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

  function refusal(code: VerifyCode, answer: SdkVerifyAnswer | null): Check {
    return {
      result: {
        valid: false,
        code,
        token_id: answer?.token_id ?? null,
        owner: answer?.owner ?? null,
        project_id: answer?.project_id ?? null,
        scopes: [],
        expires_at: answer?.expires_at ?? null,
        rate_limit: null,
      },
      windows: [],
    };
  }

  /** The decision about a good token, made here: expiry, rotation end, scopes; then its limits. */
  async function decideLocally(
    entry: CachedToken,
    token: string,
    required: readonly string[],
  ): Promise<Check | null> {
    const at = Date.now();
    const base = {
      token_id: entry.tokenId,
      owner: entry.owner,
      project_id: entry.projectId,
      expires_at: entry.expiresAtText,
    };
    if (entry.secretExpiresAt !== null && entry.secretExpiresAt <= at)
      return {
        result: { ...base, valid: false, code: 'ROTATED', scopes: [], rate_limit: null },
        windows: [],
      };
    if (entry.expiresAt !== null && entry.expiresAt <= at)
      return {
        result: { ...base, valid: false, code: 'EXPIRED', scopes: [], rate_limit: null },
        windows: [],
      };
    const missing = missingScopes(entry.scopes, required);
    const pool = poolFor(entry.tokenId);
    const admission = await pool.take();
    if (admission === 'refused') return null;
    const limited = admission === 'limited';
    const code: VerifyCode = limited ? 'RATE_LIMITED' : missing.length > 0 ? 'INSUFFICIENT_SCOPE' : 'VALID';
    return {
      result: {
        ...base,
        valid: code === 'VALID',
        code,
        scopes: entry.scopes,
        rate_limit: pool.rateLimit(limited),
        ...(missing.length > 0 ? { missing_scopes: missing } : {}),
      },
      windows: pool.windows(limited),
    };
  }

  async function check(
    token: string,
    required: readonly string[] = [],
    context: VerifyContext = {},
  ): Promise<Check> {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !PRINTABLE.test(token))
      return refusal('MALFORMED', null);
    const hash = createHash('sha256').update(token).digest('base64');
    let answer: SdkVerifyAnswer | null = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      let entry = trusted() ? cache.get(hash) : undefined;
      if (entry && Date.now() - entry.storedAt >= cacheTtlMs) {
        cache.delete(hash);
        entry = undefined;
      }
      if (entry) counters.cachedAnswers++;
      else {
        answer = await miss(token, hash);
        entry = GOOD.has(answer.code) ? (cachedTokenOf(answer, Date.now()) ?? undefined) : undefined;
      }
      const decided = entry
        ? await decideLocally(entry, token, required)
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

  return {
    /** The same codes and fields as `POST /v1/verify`; cached tokens are answered without a call. */
    async verify(token: string, requiredScopes: readonly string[] = [], context: VerifyContext = {}) {
      return (await check(token, requiredScopes, context)).result;
    },
    check,
    /** Queues an error the provider answered for delivery to Keyward (never delays the answer). */
    reportError(report: ProviderErrorReport): void {
      errors.enqueue(report);
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
}

export type Keyward = ReturnType<typeof createKeyward>;
