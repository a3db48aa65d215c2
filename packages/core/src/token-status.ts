/** What a token list says about a token; the order of the checks follows the verify decision. */
export const TOKEN_STATUSES = ['active', 'expired', 'revoked', 'disabled', 'owner_inactive'] as const;

export type TokenStatus = (typeof TOKEN_STATUSES)[number];

export type StatusFacts = {
  revokedAt: number | null;
  expiresAt: number | null;
  disabledAt: number | null;
  /** The owner can still use it: an active user still a member of the project, or an active service account. */
  ownerActive: boolean;
};

export function tokenStatus(token: StatusFacts, now: number): TokenStatus {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt <= now) return 'expired';
  if (token.disabledAt !== null) return 'disabled';
  if (!token.ownerActive) return 'owner_inactive';
  return 'active';
}
