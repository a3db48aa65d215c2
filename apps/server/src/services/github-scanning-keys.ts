import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';

/** GitHub's secret-scanning key list, as https://api.github.com/meta/public_keys/secret_scanning answers. */
type KeyList = { public_keys?: { key_identifier?: unknown; key?: unknown }[] };

export type ScanningKeySourceOptions = {
  /** The key-list URL (fetched, cached) or a file holding the same JSON; neither: the source is off. */
  url: string;
  file: string;
  now: () => number;
  logger: Logger;
  /** Keys are re-read at most this often, and when a report names an unknown key identifier. */
  refreshMs?: number;
  minReloadMs?: number;
};

const FETCH_TIMEOUT_MS = 5_000;

function parseKeyList(text: string): Map<string, KeyObject> {
  const list = JSON.parse(text) as KeyList;
  const keys = new Map<string, KeyObject>();
  for (const entry of list.public_keys ?? []) {
    if (typeof entry.key_identifier !== 'string' || typeof entry.key !== 'string') continue;
    keys.set(entry.key_identifier, createPublicKey(entry.key));
  }
  return keys;
}

/**
 * The public keys secret-scanning reports are signed with (ECDSA P-256, SHA-256, DER signatures).
 * Cached; an unknown key identifier triggers one reload (GitHub rotates keys), at most every
 * `minReloadMs`, so a flood of made-up identifiers cannot make Keyward hammer the key source.
 */
export function createScanningKeySource({
  url,
  file,
  now,
  logger,
  refreshMs = 3_600_000,
  minReloadMs = 10_000,
}: ScanningKeySourceOptions) {
  let keys = new Map<string, KeyObject>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | null = null;

  async function read(): Promise<string> {
    if (file !== '') return readFile(file, 'utf8');
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`the key list answered ${response.status}`);
    return response.text();
  }

  function reload(): Promise<void> {
    loading ??= read()
      .then((text) => {
        keys = parseKeyList(text);
      })
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'could not load the secret-scanning public keys'),
      )
      .finally(() => {
        loadedAt = now();
        loading = null;
      });
    return loading;
  }

  async function keyFor(identifier: string): Promise<KeyObject | null> {
    const age = now() - loadedAt;
    if (age >= refreshMs || (!keys.has(identifier) && age >= minReloadMs)) await reload();
    return keys.get(identifier) ?? null;
  }

  return {
    enabled: url !== '' || file !== '',
    /** Whether `signature` (base64 DER) over `payload` verifies under the key named `identifier`. */
    async verifies(identifier: string, signature: string, payload: string): Promise<boolean> {
      const key = await keyFor(identifier);
      if (key === null) return false;
      try {
        return verify(
          'sha256',
          Buffer.from(payload),
          { key, dsaEncoding: 'der' },
          Buffer.from(signature, 'base64'),
        );
      } catch {
        return false;
      }
    },
  };
}

export type ScanningKeySource = ReturnType<typeof createScanningKeySource>;
