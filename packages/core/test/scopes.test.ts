import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  intersectScopes,
  isCovered,
  isValidScope,
  missingScopes,
  normalizeScopes,
  RESERVED_RESOURCE,
  scopeCovers,
} from '../src/scopes.ts';
import { concreteScopeArb, scopeArb, scopesArb } from './support.ts';

describe('isValidScope', () => {
  it.each([
    'tokens:read',
    '*:*',
    '*:read',
    'tokens:*',
    'service_accounts:write',
    'a.b-c:d1',
    'keyward:admin',
  ])('accepts %j', (scope) => {
    expect(isValidScope(scope)).toBe(true);
  });

  it.each([
    '',
    'tokens',
    'tokens:',
    ':read',
    'Tokens:read',
    'tokens:read:all',
    '**:read',
    'tok*:read',
    ' tokens:read',
    'tokens:read\n',
    '1tokens:read',
    `${'a'.repeat(65)}:read`,
  ])('rejects %j', (scope) => {
    expect(isValidScope(scope)).toBe(false);
  });
});

describe('scopeCovers', () => {
  it.each([
    ['tokens:read', 'tokens:read', true],
    ['tokens:read', 'tokens:write', false],
    ['tokens:read', 'billing:read', false],
    ['tokens:*', 'tokens:write', true],
    ['tokens:*', 'billing:write', false],
    ['*:read', 'billing:read', true],
    ['*:read', 'billing:write', false],
    ['*:*', 'billing:write', true],
    // A wildcard in the required scope is only covered by a wildcard.
    ['tokens:read', 'tokens:*', false],
    ['tokens:*', '*:*', false],
    ['*:read', '*:*', false],
    ['*:*', '*:read', true],
    ['*:*', 'tokens:*', true],
    ['*:read', '*:read', true],
  ])('%s covers %s: %s', (granted, required, expected) => {
    expect(scopeCovers(granted, required)).toBe(expected);
  });

  it('keeps the reserved resource out of reach of a wildcard resource', () => {
    expect(RESERVED_RESOURCE).toBe('keyward');
    expect(scopeCovers('*:*', 'keyward:admin')).toBe(false);
    expect(scopeCovers('*:admin', 'keyward:admin')).toBe(false);
    expect(scopeCovers('*:*', 'keyward:*')).toBe(false);
    expect(scopeCovers('keyward:*', 'keyward:admin')).toBe(true);
    expect(scopeCovers('keyward:admin', 'keyward:admin')).toBe(true);
  });

  it('is reflexive and transitive', () => {
    fc.assert(
      fc.property(scopeArb, scopeArb, scopeArb, (a, b, c) => {
        expect(scopeCovers(a, a)).toBe(true);
        if (scopeCovers(a, b) && scopeCovers(b, c)) expect(scopeCovers(a, c)).toBe(true);
        if (a !== b && scopeCovers(a, b)) expect(scopeCovers(b, a)).toBe(false);
      }),
    );
  });

  // Provider APIs pass their own required scopes to the SDK middleware; a typo there must deny,
  // not allow. Today `split` treats a colon-less string as resource = all but its last character.
  it('fails closed: a malformed scope on either side covers and is covered by nothing', () => {
    expect(scopeCovers('*:*', 'admin')).toBe(false);
    expect(scopeCovers('*:*', 'billing.read')).toBe(false);
    expect(missingScopes(['*:*'], ['billing.read'])).toEqual(['billing.read']);
    expect(scopeCovers('admin', 'admi:admin')).toBe(false);
  });
});

describe('missingScopes', () => {
  it('lists the uncovered required scopes in the order they were asked for', () => {
    expect(
      missingScopes(['tokens:*', '*:read'], ['billing:write', 'tokens:write', 'usage:read', 'keyward:read']),
    ).toEqual(['billing:write', 'keyward:read']);
    expect(missingScopes([], ['tokens:read'])).toEqual(['tokens:read']);
    expect(missingScopes([], [])).toEqual([]);
    expect(missingScopes(['tokens:read'], [])).toEqual([]);
  });

  it('agrees with isCovered', () => {
    fc.assert(
      fc.property(scopesArb, scopesArb, (granted, required) => {
        expect(missingScopes(granted, required)).toEqual(required.filter((r) => !isCovered(r, granted)));
      }),
    );
  });
});

describe('intersectScopes', () => {
  it('gives the narrowest common scopes', () => {
    expect(intersectScopes(['*:read'], ['tokens:*'])).toEqual(['tokens:read']);
    expect(intersectScopes(['*:*'], ['billing:read', 'usage:read'])).toEqual(['billing:read', 'usage:read']);
    expect(intersectScopes(['tokens:read'], ['billing:read'])).toEqual([]);
    expect(intersectScopes([], ['*:*'])).toEqual([]);
  });

  it('never lets a wildcard reach the reserved resource', () => {
    expect(intersectScopes(['*:*'], ['keyward:admin'])).toEqual([]);
    expect(intersectScopes(['keyward:*'], ['keyward:admin', '*:*'])).toEqual(['keyward:admin']);
  });

  it('allows nothing that one of the inputs does not allow', () => {
    fc.assert(
      fc.property(scopesArb, scopesArb, (a, b) => {
        for (const scope of intersectScopes(a, b)) {
          expect(isCovered(scope, a)).toBe(true);
          expect(isCovered(scope, b)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('allows every concrete scope that both inputs allow', () => {
    fc.assert(
      fc.property(scopesArb, scopesArb, concreteScopeArb, (a, b, scope) => {
        if (isCovered(scope, a) && isCovered(scope, b))
          expect(isCovered(scope, intersectScopes(a, b))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('allows every wildcard scope that both inputs allow', () => {
    fc.assert(
      fc.property(scopesArb, scopesArb, scopeArb, (a, b, scope) => {
        if (isCovered(scope, a) && isCovered(scope, b))
          expect(isCovered(scope, intersectScopes(a, b))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('is commutative and normalized; a set intersected with itself is its normal form', () => {
    fc.assert(
      fc.property(scopesArb, scopesArb, (a, b) => {
        const result = intersectScopes(a, b);
        expect(intersectScopes(b, a)).toEqual(result);
        expect(normalizeScopes(result)).toEqual(result);
        expect(intersectScopes(a, a)).toEqual(normalizeScopes(a));
      }),
    );
  });
});

describe('normalizeScopes', () => {
  it('drops duplicates and scopes covered by another, and sorts', () => {
    expect(
      normalizeScopes(['tokens:read', '*:read', 'tokens:read', 'billing:write', 'keyward:read']),
    ).toEqual(['*:read', 'billing:write', 'keyward:read']);
    expect(normalizeScopes([])).toEqual([]);
  });

  it('is idempotent, keeps no redundant scope and allows exactly what its input allows', () => {
    fc.assert(
      fc.property(scopesArb, scopeArb, (scopes, probe) => {
        const normal = normalizeScopes(scopes);
        expect(normalizeScopes(normal)).toEqual(normal);
        expect([...normal].sort()).toEqual(normal);
        for (const s of normal) expect(normal.filter((o) => o !== s && scopeCovers(o, s))).toEqual([]);
        expect(isCovered(probe, normal)).toBe(isCovered(probe, scopes));
      }),
      { numRuns: 500 },
    );
  });
});
