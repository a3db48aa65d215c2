import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCovered } from '../src/scopes.ts';
import { parseToken } from '../src/token-format.ts';
import { decide, effectiveScopes, type TokenState, VERIFY_CODES, type VerifyCode } from '../src/verify.ts';
import { liveState, NOW, scopesArb } from './support.ts';

const past = (ms: number) => NOW - ms;
const future = (ms: number) => NOW + ms;

describe('decide: each outcome', () => {
  it.each<[VerifyCode, TokenState | null, string[]]>([
    ['NOT_FOUND', null, []],
    ['REVOKED', liveState({ revokedAt: past(1) }), []],
    ['ROTATED', liveState({ secretExpiresAt: past(1) }), []],
    ['EXPIRED', liveState({ expiresAt: past(1) }), []],
    ['DISABLED', liveState({ disabledAt: past(1) }), []],
    ['OWNER_INACTIVE', liveState({ ownerActive: false }), []],
    ['INSUFFICIENT_SCOPE', liveState(), ['tokens:write']],
    ['VALID', liveState(), ['tokens:read', 'billing:write']],
  ])('%s', (code, state, requiredScopes) => {
    const outcome = decide({ state, now: NOW, requiredScopes });
    expect(outcome.code).toBe(code);
    expect(outcome.valid).toBe(code === 'VALID');
    // Refusals before the scope check carry no principal: nothing about the token leaks to the edge.
    expect(outcome.principal === undefined).toBe(code !== 'VALID' && code !== 'INSUFFICIENT_SCOPE');
  });

  it('reaches every verify code except those owned by the stages around it', () => {
    const reached = new Set<VerifyCode>();
    if (!parseToken('kw_not-a-token').ok) reached.add('MALFORMED'); // the parse stage, before any I/O
    const choices = [null, past(1), future(1)];
    reached.add(decide({ state: null, now: NOW }).code);
    for (const revokedAt of [null, past(1)])
      for (const secretExpiresAt of choices)
        for (const expiresAt of choices)
          for (const disabledAt of [null, past(1)])
            for (const ownerActive of [true, false])
              for (const requiredScopes of [[], ['tokens:read'], ['tokens:write']]) {
                const state = liveState({ revokedAt, secretExpiresAt, expiresAt, disabledAt, ownerActive });
                reached.add(decide({ state, now: NOW, requiredScopes }).code);
              }
    // RATE_LIMITED comes from the rate limiter after the decision; IP_NOT_ALLOWED from the address
    // step next to it (decideAddress, see ip-allowlist.test.ts).
    const elsewhere: VerifyCode[] = ['RATE_LIMITED', 'IP_NOT_ALLOWED'];
    expect([...reached].sort()).toEqual(VERIFY_CODES.filter((code) => !elsewhere.includes(code)).sort());
  });
});

describe('decide: precedence', () => {
  const ORDER = [
    'REVOKED',
    'ROTATED',
    'EXPIRED',
    'DISABLED',
    'OWNER_INACTIVE',
    'INSUFFICIENT_SCOPE',
  ] as const;
  const timeArb = fc.option(fc.integer({ min: -10_000, max: 10_000 }), { nil: null });

  it('reports the first failing check in the order revoked, rotated, expired, disabled, owner, scope', () => {
    fc.assert(
      fc.property(
        fc.option(fc.nat(10_000), { nil: null }),
        timeArb,
        timeArb,
        fc.option(fc.integer({ min: -10_000, max: 10_000 }), { nil: null }),
        fc.boolean(),
        fc.boolean(),
        (revokedAgo, secretExpiresIn, expiresIn, disabledIn, ownerActive, needsMore) => {
          const state = liveState({
            revokedAt: revokedAgo === null ? null : past(revokedAgo),
            secretExpiresAt: secretExpiresIn === null ? null : future(secretExpiresIn),
            expiresAt: expiresIn === null ? null : future(expiresIn),
            disabledAt: disabledIn === null ? null : future(disabledIn),
            ownerActive,
          });
          const failing = {
            REVOKED: state.revokedAt !== null,
            ROTATED: state.secretExpiresAt !== null && state.secretExpiresAt <= NOW,
            EXPIRED: state.expiresAt !== null && state.expiresAt <= NOW,
            DISABLED: state.disabledAt !== null,
            OWNER_INACTIVE: !ownerActive,
            INSUFFICIENT_SCOPE: needsMore,
          };
          const expected = ORDER.find((code) => failing[code]) ?? 'VALID';
          const requiredScopes = needsMore ? ['tokens:write'] : ['tokens:read'];
          expect(decide({ state, now: NOW, requiredScopes }).code).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('treats the expiry instant itself as expired', () => {
    expect(decide({ state: liveState({ expiresAt: NOW }), now: NOW }).code).toBe('EXPIRED');
    expect(decide({ state: liveState({ expiresAt: NOW + 1 }), now: NOW }).code).toBe('VALID');
  });

  // Revocation is "immediate, everywhere" (DESIGN §2, §6). The node that decides may have a clock
  // a few milliseconds behind the node that wrote revokedAt; the token must be refused anyway.
  it('refuses a revoked token even when revokedAt is ahead of this node’s clock', () => {
    expect(decide({ state: liveState({ revokedAt: future(50) }), now: NOW }).code).toBe('REVOKED');
  });
});

describe('decide: rotation', () => {
  it('accepts the old secret during the grace period and answers ROTATED once it has passed', () => {
    const state = liveState({ secretExpiresAt: future(60_000) });
    expect(decide({ state, now: NOW }).code).toBe('VALID');
    expect(decide({ state, now: future(59_999) }).code).toBe('VALID');
    expect(decide({ state, now: future(60_000) }).code).toBe('ROTATED');
    expect(decide({ state, now: future(3_600_000) }).code).toBe('ROTATED');
  });

  it('answers REVOKED, not ROTATED, for a revoked token presented with a superseded secret', () => {
    const state = liveState({ secretExpiresAt: past(10), revokedAt: past(5) });
    expect(decide({ state, now: NOW }).code).toBe('REVOKED');
  });
});

describe('decide: scopes', () => {
  it('never grants a token more than its owner holds now', () => {
    fc.assert(
      fc.property(
        scopesArb,
        scopesArb,
        scopesArb,
        fc.constantFrom('user', 'service_account' as const),
        (scopes, ownerScopes, required, ownerType) => {
          const state = liveState({ scopes, ownerScopes, ownerType });
          const outcome = decide({ state, now: NOW, requiredScopes: required });
          const allowedByBoth = required.every((r) => isCovered(r, scopes) && isCovered(r, ownerScopes));
          expect(outcome.valid).toBe(allowedByBoth);
          expect(outcome.code).toBe(allowedByBoth ? 'VALID' : 'INSUFFICIENT_SCOPE');
          for (const scope of outcome.principal?.scopes ?? []) {
            expect(isCovered(scope, scopes)).toBe(true);
            expect(isCovered(scope, ownerScopes)).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('lists exactly the missing scopes, and keeps the principal for the error record', () => {
    const state = liveState({ scopes: ['tokens:*', 'billing:read'], ownerScopes: ['*:*'] });
    const outcome = decide({
      state,
      now: NOW,
      requiredScopes: ['tokens:write', 'billing:write', 'usage:read', 'billing:read'],
    });
    expect(outcome).toMatchObject({
      valid: false,
      code: 'INSUFFICIENT_SCOPE',
      missingScopes: ['billing:write', 'usage:read'],
      principal: { tokenId: state.tokenId },
    });
  });

  it('takes a right away from the token as soon as its user loses it', () => {
    const state = liveState({ scopes: ['tokens:write'], ownerScopes: ['tokens:read'] });
    const outcome = decide({ state, now: NOW, requiredScopes: ['tokens:write'] });
    expect(outcome.code).toBe('INSUFFICIENT_SCOPE');
    expect(outcome.valid ? [] : 'missingScopes' in outcome ? outcome.missingScopes : null).toEqual([
      'tokens:write',
    ]);
  });

  it('lets a token with no scopes do nothing that needs a scope', () => {
    const state = liveState({ scopes: [] });
    for (const required of ['tokens:read', 'billing:*', '*:*']) {
      expect(decide({ state, now: NOW, requiredScopes: [required] }).code).toBe('INSUFFICIENT_SCOPE');
    }
  });

  it('does not let the owner role `*:*` reach the reserved keyward resource', () => {
    const state = liveState({ scopes: ['*:*'], ownerScopes: ['*:*'] });
    expect(decide({ state, now: NOW, requiredScopes: ['keyward:admin'] }).code).toBe('INSUFFICIENT_SCOPE');
  });
});

describe('decide: principal', () => {
  it('copies the identity and reports the effective scopes', () => {
    const state = liveState({ scopes: ['*:read', 'tokens:write'], ownerScopes: ['tokens:*', 'usage:read'] });
    const outcome = decide({ state, now: NOW });
    expect(outcome).toEqual({
      valid: true,
      code: 'VALID',
      principal: {
        tokenId: state.tokenId,
        projectId: state.projectId,
        ownerType: state.ownerType,
        ownerId: state.ownerId,
        name: state.name,
        scopes: ['tokens:read', 'tokens:write', 'usage:read'],
        expiresAt: null,
      },
    });
    expect(effectiveScopes(state)).toEqual(outcome.principal?.scopes);
  });

  it('is pure: same input, same answer, input untouched', () => {
    const state = liveState({ scopes: ['tokens:read', 'tokens:read'] });
    const frozen = structuredClone(state);
    const first = decide({ state, now: NOW, requiredScopes: ['tokens:read'] });
    expect(decide({ state, now: NOW, requiredScopes: ['tokens:read'] })).toEqual(first);
    expect(state).toEqual(frozen);
  });
});
