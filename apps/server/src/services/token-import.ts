import { candidateHashes, existingKeyOutcome, KeywardError, type RoleId, type TokenId } from '@keyward/core';
import type { Token } from '@keyward/storage';
import type { FastifyRequest } from 'fastify';
import type { ImportBody } from '../routes/tokens/import-tokens.ts';
import type { Deps, Principal } from '../types.ts';
import type { TokenService } from './token-service.ts';

type KeyToImport = ImportBody['keys'][number];
export type SkippedKey = { index: number; token_id: TokenId; hint: string };

const IN_USE = 'A key in this batch is already in use and cannot be imported; nothing was imported';

/**
 * Imports plaintext keys, all or nothing. Keys the caller's project already imported are skipped
 * (a re-run reports them); a key in use anywhere else is a 409 that does not say where and counts
 * as a failed authentication for the caller's address, so import guesses no faster than sign-in.
 */
export function createTokenImport(deps: Deps, tokens: TokenService) {
  const { storage, peppers, rateLimits } = deps;

  /** The token already holding this key, if any. */
  async function holderOf(principal: Principal, key: string): Promise<Token | 'foreign' | null> {
    const lookup = await storage.tokens.findByHashes(candidateHashes(key, peppers).map((h) => h.hash));
    if (lookup === null) return null;
    if (lookup.state.projectId !== principal.projectId) return 'foreign';
    return (await storage.tokens.get(principal.projectId, lookup.state.tokenId as TokenId)) ?? 'foreign';
  }

  async function run(request: FastifyRequest, principal: Principal, keys: readonly KeyToImport[]) {
    const firstIndex = new Map<string, number>();
    for (const [index, entry] of keys.entries()) {
      tokens.checkImportable(entry.key);
      const earlier = firstIndex.get(entry.key);
      if (earlier !== undefined)
        throw new KeywardError('VALIDATION_FAILED', `keys.${index} repeats keys.${earlier}`);
      firstIndex.set(entry.key, index);
    }
    await rateLimits.assertAddressNotBlocked(request.ip);
    const fresh: KeyToImport[] = [];
    const skipped: SkippedKey[] = [];
    let inUse = 0;
    for (const [index, entry] of keys.entries()) {
      const holder = await holderOf(principal, entry.key);
      if (holder === null) fresh.push(entry);
      else if (holder !== 'foreign' && existingKeyOutcome(holder, principal) === 'skip')
        skipped.push({ index, token_id: holder.id, hint: holder.hint });
      else inUse++;
    }
    // Each key in use is one guess that hit: charged like a failed sign-in (429 once over the allowance).
    for (let i = 0; i < inUse; i++) await rateLimits.recordFailure(request.ip);
    if (inUse > 0) throw new KeywardError('CONFLICT', IN_USE);
    const imported = await storage.transaction(async (tx) => {
      const made: Token[] = [];
      for (const entry of fresh) {
        const input = {
          name: entry.name,
          roleId: entry.role_id as RoleId,
          kind: 'imported' as const,
          importedSecret: entry.key,
          expiresAt: null,
        };
        made.push((await tokens.issue(request, principal, input, tx)).token);
      }
      return made;
    });
    return { imported, skipped };
  }

  return { run };
}
