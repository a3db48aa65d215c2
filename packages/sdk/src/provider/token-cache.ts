import type { QuotaPool } from './quota.ts';
import type { SdkVerifyAnswer, WireChange } from './wire.ts';

/**
 * A cached token's answer to one list of required scopes (a pure function of the entry, so it
 * goes with the entry): the scopes it misses. `required` is a copy, compared element by element.
 */
export class Grant {
  constructor(
    readonly entry: CachedToken,
    readonly required: readonly string[],
    readonly missing: string[],
  ) {}
}

/** What the SDK keeps of a good token: enough to decide any required scopes locally. */
export type CachedToken = {
  tokenId: string;
  projectId: string;
  owner: { type: string; id: string };
  scopes: string[];
  expiresAt: number | null;
  expiresAtText: string | null;
  secretExpiresAt: number | null;
  metadata: Record<string, unknown>;
  /** CIDRs the token may be used from; empty: any address. */
  allowedIps: string[];
  storedAt: number;
  /** Grants by required scopes: at most 16 kept (the routes' lists, in practice one or two). */
  grants: Grant[];
  /** The token's quota pool once asked for (pools live as long as the process: one per token id). */
  pool: QuotaPool | null;
};

const time = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

export function cachedTokenOf(answer: SdkVerifyAnswer, now: number): CachedToken | null {
  if (answer.token_id === null || answer.project_id === null || answer.owner === null) return null;
  return {
    tokenId: answer.token_id,
    projectId: answer.project_id,
    owner: answer.owner,
    scopes: answer.scopes,
    expiresAt: time(answer.expires_at),
    expiresAtText: answer.expires_at,
    secretExpiresAt: time(answer.secret_expires_at),
    metadata: answer.metadata ?? {},
    allowedIps: answer.allowed_ips ?? [],
    storedAt: now,
    grants: [],
    pool: null,
  };
}

/**
 * Good tokens by SHA-256 of their secret (the secret itself is never kept), bounded: past
 * `maxEntries` the oldest goes. `epoch` moves on every change, so a read begun before a change
 * is not cached after it.
 */
export function createTokenCache(maxEntries: number) {
  const entries = new Map<string, CachedToken>();
  let epoch = 0;

  function dropWhere(matches: (entry: CachedToken) => boolean): void {
    for (const [hash, entry] of entries) if (matches(entry)) entries.delete(hash);
  }

  return {
    get: (hash: string) => entries.get(hash),
    set(hash: string, entry: CachedToken): void {
      entries.delete(hash);
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(hash, entry);
    },
    delete: (hash: string) => entries.delete(hash),
    apply(change: WireChange): void {
      epoch++;
      if ('token_id' in change) dropWhere((e) => e.tokenId === change.token_id);
      else if ('project_id' in change)
        dropWhere(
          (e) => e.projectId === change.project_id && (!change.owner_id || e.owner.id === change.owner_id),
        );
      else dropWhere((e) => e.owner.id === change.owner_id);
    },
    clear(): void {
      epoch++;
      entries.clear();
    },
    epoch: () => epoch,
    size: () => entries.size,
  };
}

export type TokenCache = ReturnType<typeof createTokenCache>;
