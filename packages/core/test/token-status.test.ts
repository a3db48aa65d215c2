import { describe, expect, test } from 'vitest';
import { decide, type TokenState, tokenStatus, VERIFY_ERROR } from '../src/index.ts';

const NOW = 1_000_000;
const base: TokenState = {
  tokenId: 'tok_1',
  projectId: 'prj_1',
  ownerType: 'user',
  ownerId: 'usr_1',
  name: 't',
  scopes: ['a:b'],
  ownerScopes: ['a:b'],
  ownerActive: true,
  expiresAt: null,
  revokedAt: null,
  disabledAt: null,
  secretExpiresAt: null,
};

describe('the listed status follows the verify decision', () => {
  const facts = [
    { revokedAt: NOW - 1 },
    { expiresAt: NOW },
    { disabledAt: NOW - 1 },
    { ownerActive: false },
    {},
    { revokedAt: NOW - 1, ownerActive: false },
    { expiresAt: NOW - 1, disabledAt: NOW - 1, ownerActive: false },
    { disabledAt: NOW - 1, ownerActive: false },
  ];
  test.each(facts)('%o', (change) => {
    const state = { ...base, ...change };
    const status = tokenStatus(state, NOW);
    const code = decide({ state, now: NOW }).code;
    const expected: Record<string, string> = {
      revoked: 'REVOKED',
      expired: 'EXPIRED',
      disabled: 'DISABLED',
      owner_inactive: 'OWNER_INACTIVE',
      active: 'VALID',
    };
    expect(code).toBe(expected[status]);
  });

  test('an inactive owner is refused with a code of its own', () => {
    expect(VERIFY_ERROR.OWNER_INACTIVE).toBe('TOKEN_OWNER_INACTIVE');
  });
});
