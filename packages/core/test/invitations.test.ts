import { describe, expect, it } from 'vitest';
import {
  decideRedemption,
  generateInvitationCode,
  INVITATION_CODE_PATTERN,
  invitationStatus,
  MAX_EMAIL_REDEEM_FAILURES,
  MAX_REDEEM_FAILURES,
  type RedemptionInput,
} from '../src/invitations.ts';
import { parseToken } from '../src/token-format.ts';

const NOW = 1_700_000_000_000;
const pending = { expiresAt: NOW + 1000, redeemedAt: null, revokedAt: null, failedAttempts: 0 };

describe('invitation codes', () => {
  it('are 256-bit random, match the published pattern and are never token-shaped', () => {
    const codes = new Set(Array.from({ length: 200 }, generateInvitationCode));
    expect(codes.size).toBe(200);
    for (const code of codes) {
      expect(code).toMatch(new RegExp(INVITATION_CODE_PATTERN));
      expect(parseToken(code).ok).toBe(false);
    }
  });
});

describe('invitationStatus', () => {
  it.each([
    [{}, NOW, 'pending'],
    [{}, NOW + 1000, 'expired'],
    [{ redeemedAt: NOW }, NOW, 'redeemed'],
    [{ revokedAt: NOW }, NOW, 'revoked'],
    [{ failedAttempts: MAX_REDEEM_FAILURES }, NOW, 'exhausted'],
    [{ failedAttempts: MAX_REDEEM_FAILURES - 1 }, NOW, 'pending'],
  ])('%o at %d is %s', (patch, at, status) => {
    expect(invitationStatus({ ...pending, ...patch }, at)).toBe(status);
  });
});

describe('decideRedemption', () => {
  const base: RedemptionInput = {
    invitation: pending,
    now: NOW,
    claim: 'new',
    account: null,
    alreadyMember: false,
    recentEmailFailures: 0,
  };
  const decide = (patch: Partial<RedemptionInput>) => decideRedemption({ ...base, ...patch });
  const existing = { active: true, passwordOk: true };

  it('creates an account only when the email has none', () => {
    expect(decide({})).toEqual({ ok: true, action: 'create-account' });
    expect(decide({ account: existing })).toEqual({
      ok: false,
      code: 'INVALID_CREDENTIALS',
      countsAsFailure: true,
    });
  });

  it('joins an existing account only with its own password, and the refusals look alike', () => {
    expect(decide({ claim: 'existing', account: existing })).toEqual({ ok: true, action: 'join' });
    const refusals = [
      decide({ claim: 'existing', account: { active: true, passwordOk: false } }),
      decide({ claim: 'existing', account: { active: false, passwordOk: true } }),
      decide({ claim: 'existing', account: null }),
      decide({ claim: 'new', account: existing }),
    ];
    for (const refusal of refusals) {
      expect(refusal).toEqual({ ok: false, code: 'INVALID_CREDENTIALS', countsAsFailure: true });
    }
  });

  it('refuses a used, revoked, expired, burnt or unknown invitation before looking at the account', () => {
    for (const invitation of [
      null,
      { ...pending, redeemedAt: NOW },
      { ...pending, revokedAt: NOW },
      { ...pending, expiresAt: NOW },
      { ...pending, failedAttempts: MAX_REDEEM_FAILURES },
    ]) {
      expect(decide({ invitation, claim: 'existing', account: existing })).toEqual({
        ok: false,
        code: 'INVITATION_INVALID',
        countsAsFailure: false,
      });
    }
  });

  it('stops guessing through fresh invitations: too many failures for the email refuse even the right password', async () => {
    const guessed = { claim: 'existing' as const, account: existing };
    expect(decide({ ...guessed, recentEmailFailures: MAX_EMAIL_REDEEM_FAILURES - 1 }).ok).toBe(true);
    for (const claim of ['existing', 'new'] as const) {
      expect(decide({ ...guessed, claim, recentEmailFailures: MAX_EMAIL_REDEEM_FAILURES })).toEqual({
        ok: false,
        code: 'RATE_LIMITED',
        countsAsFailure: false,
      });
    }
  });

  it('a member already in the project is a conflict, once the password matched', () => {
    expect(decide({ claim: 'existing', account: existing, alreadyMember: true }).ok).toBe(false);
    expect(decide({ claim: 'existing', account: existing, alreadyMember: true })).toMatchObject({
      code: 'CONFLICT',
    });
  });
});
