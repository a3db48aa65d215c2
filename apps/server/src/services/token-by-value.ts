import {
  candidateHashes,
  isAcceptableLegacyKey,
  MAX_TOKEN_LENGTH,
  type ProjectId,
  parseToken,
  type TokenId,
} from '@keyward/core';
import type { AuditChange, TokenLookup } from '@keyward/storage';
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../types.ts';
import { recordEvent, tokenEventData } from './webhook-events.ts';

/** How a token was found by its value: it still works, or it is only a record of one that did. */
export type FoundToken = { lookup: TokenLookup; live: boolean };

/**
 * Tokens found by their secret alone (revocation by value, secret-scanning reports): whoever holds
 * a working secret may kill its token. A secret a rotation ended, or a token already revoked or
 * expired, is found but not live: nothing is left to revoke.
 */
export function createTokenByValue(deps: Deps) {
  const { storage, peppers, now, verifier, audit } = deps;

  async function find(value: string): Promise<FoundToken | null> {
    if (value.length > MAX_TOKEN_LENGTH) return null;
    if (!parseToken(value).ok && !isAcceptableLegacyKey(value)) return null;
    const lookup = await storage.tokens.findByHashes(candidateHashes(value, peppers).map((h) => h.hash));
    if (lookup === null) return null;
    const { revokedAt, expiresAt, secretExpiresAt } = lookup.state;
    const at = now();
    const live =
      revokedAt === null &&
      (expiresAt === null || expiresAt > at) &&
      (secretExpiresAt === null || secretExpiresAt > at);
    return { lookup, live };
  }

  /**
   * Revokes a found token and audits it under `action` with `changes` (never the secret). The
   * revocation and its audit entry are one transaction; the cache forgets the token before the answer.
   * Returns false when the token was already revoked (a concurrent revocation won).
   */
  async function revoke(
    request: FastifyRequest,
    found: FoundToken,
    { reason, action, changes }: { reason: string; action: string; changes: Record<string, AuditChange> },
  ): Promise<boolean> {
    const projectId = found.lookup.state.projectId as ProjectId;
    const tokenId = found.lookup.state.tokenId as TokenId;
    const revoked = await storage.transaction(async (tx) => {
      const token = await tx.tokens.revoke(projectId, tokenId, reason, now());
      if (!token) return false;
      await audit.record(
        request,
        {
          action,
          projectId,
          targetType: 'token',
          targetId: tokenId,
          actor: { type: 'anonymous', id: null },
          changes: { revoked_at: { after: token.revokedAt }, revoked_reason: { after: reason }, ...changes },
        },
        tx,
      );
      await verifier.invalidate({ tokenId }, tx);
      const at = now();
      await recordEvent(tx, projectId, 'token.revoked', { ...tokenEventData(token), reason }, at);
      if (action === 'token.leaked')
        await recordEvent(
          tx,
          projectId,
          'token.leaked',
          { ...tokenEventData(token), ...leakOf(changes) },
          at,
        );
      return true;
    });
    return revoked;
  }

  return { find, revoke };
}

/** Where a leak was found, from its audit changes (`leak_url`, `leak_source`, `leak_type`). */
export function leakOf(changes: Record<string, AuditChange>): Record<string, unknown> {
  return {
    url: changes.leak_url?.after ?? null,
    source: changes.leak_source?.after ?? null,
    type: changes.leak_type?.after ?? null,
    action: changes.leak_action?.after ?? null,
  };
}

export type TokenByValue = ReturnType<typeof createTokenByValue>;
