import { randomBytes } from 'node:crypto';
import { BASE62_CHARS, base62Width, bytesToBigInt, encodeBase62 } from './base62.ts';
import type { ErrorCode } from './errors.ts';

/**
 * An invitation code: 256 random bits behind a prefix of its own, so it is never mistaken for a
 * token (and a token never for it). Stored only as a keyed hash, like a token's secret.
 */
export const INVITATION_CODE_PREFIX = 'kwinv';
const CODE_BYTES = 32;
const CODE_LENGTH = base62Width(CODE_BYTES);
export const INVITATION_CODE_PATTERN = `^${INVITATION_CODE_PREFIX}_[${BASE62_CHARS}]{${CODE_LENGTH}}$`;

/** Wrong passwords (or a wrong account choice) after which an invitation is burnt. */
export const MAX_REDEEM_FAILURES = 5;

/**
 * Failed redemptions per email over all its invitations in a day, after which signing in through
 * an invitation is refused: otherwise fresh invitations would give unlimited password guesses.
 */
export const MAX_EMAIL_REDEEM_FAILURES = 10;
export const EMAIL_REDEEM_WINDOW_SECONDS = 86_400;

export const DEFAULT_INVITATION_LIFETIME_SECONDS = 7 * 86_400;
export const MAX_INVITATION_LIFETIME_SECONDS = 30 * 86_400;

export function generateInvitationCode(): string {
  return `${INVITATION_CODE_PREFIX}_${encodeBase62(bytesToBigInt(randomBytes(CODE_BYTES)), CODE_LENGTH)}`;
}

export type InvitationStatus = 'pending' | 'expired' | 'redeemed' | 'revoked' | 'exhausted';

export type InvitationDates = {
  expiresAt: number;
  redeemedAt: number | null;
  revokedAt: number | null;
  failedAttempts: number;
};

export function invitationStatus(invitation: InvitationDates, now: number): InvitationStatus {
  if (invitation.redeemedAt !== null) return 'redeemed';
  if (invitation.revokedAt !== null) return 'revoked';
  if (invitation.failedAttempts >= MAX_REDEEM_FAILURES) return 'exhausted';
  if (now >= invitation.expiresAt) return 'expired';
  return 'pending';
}

/** What the invitee says: a new account (choosing a password) or an existing one (signing in). */
export type AccountClaim = 'new' | 'existing';

export type RedemptionInput = {
  invitation: InvitationDates | null;
  now: number;
  claim: AccountClaim;
  /** The account the invited email has, if any; `passwordOk` is whether the password given matches. */
  account: { active: boolean; passwordOk: boolean } | null;
  alreadyMember: boolean;
  /** Failed redemptions for the invited email in the last window, over all its invitations. */
  recentEmailFailures: number;
};

export type Redemption =
  | { ok: true; action: 'create-account' | 'join' }
  /** `countsAsFailure`: a wrong password or account choice, counted against the invitation. */
  | { ok: false; code: ErrorCode; countsAsFailure: boolean };

/**
 * Joining needs the code and control of the account: an existing account only with its own
 * password, a new one only when the email has none. Every mismatch between the claim and the
 * account answers the same INVALID_CREDENTIALS, so the answer does not say which it was.
 */
export function decideRedemption({
  invitation,
  now,
  claim,
  account,
  alreadyMember,
  recentEmailFailures,
}: RedemptionInput): Redemption {
  if (invitation === null || invitationStatus(invitation, now) !== 'pending') {
    return { ok: false, code: 'INVITATION_INVALID', countsAsFailure: false };
  }
  if (recentEmailFailures >= MAX_EMAIL_REDEEM_FAILURES) {
    return { ok: false, code: 'RATE_LIMITED', countsAsFailure: false };
  }
  if (claim === 'new') {
    return account === null
      ? { ok: true, action: 'create-account' }
      : { ok: false, code: 'INVALID_CREDENTIALS', countsAsFailure: true };
  }
  if (account === null || !account.passwordOk || !account.active) {
    return { ok: false, code: 'INVALID_CREDENTIALS', countsAsFailure: true };
  }
  if (alreadyMember) return { ok: false, code: 'CONFLICT', countsAsFailure: false };
  return { ok: true, action: 'join' };
}
