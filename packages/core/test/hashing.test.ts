import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  candidateHashes,
  constantTimeEqual,
  generatePepperKey,
  hashToken,
  PEPPER_BYTES,
  type Pepper,
  type PepperRing,
} from '../src/hashing.ts';
import { generateToken } from '../src/token-format.ts';

const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes));
const tokenArb = fc.string({ minLength: 1, maxLength: 100 });

function pepper(version: number, fill: number): Pepper {
  return { version, key: Buffer.alloc(PEPPER_BYTES, fill) };
}

describe('hashToken', () => {
  it('is HMAC-SHA256 in hex (RFC 4231 test case 2)', () => {
    const jefe: Pepper = { version: 1, key: Buffer.from('Jefe') };
    expect(hashToken('what do ya want for nothing?', jefe)).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('is deterministic for one pepper and ignores the version number', () => {
    fc.assert(
      fc.property(tokenArb, keyArb, fc.nat(), fc.nat(), (token, key, v1, v2) => {
        const hash = hashToken(token, { version: v1, key });
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
        expect(hashToken(token, { version: v2, key: Buffer.from(key) })).toBe(hash);
      }),
    );
  });

  it('differs across peppers', () => {
    fc.assert(
      fc.property(tokenArb, keyArb, keyArb, (token, a, b) => {
        fc.pre(!a.equals(b));
        expect(hashToken(token, { version: 1, key: a })).not.toBe(hashToken(token, { version: 1, key: b }));
      }),
    );
  });

  it('differs across tokens', () => {
    fc.assert(
      fc.property(tokenArb, tokenArb, keyArb, (t1, t2, key) => {
        fc.pre(t1 !== t2);
        expect(hashToken(t1, { version: 1, key })).not.toBe(hashToken(t2, { version: 1, key }));
      }),
    );
  });

  it('hashes the whole token, prefix included', () => {
    const token = generateToken('acme_live');
    const p = pepper(1, 1);
    expect(hashToken(token, p)).not.toBe(hashToken(token.replace('acme_live', 'acme_test'), p));
  });
});

describe('candidateHashes', () => {
  it('lists the current pepper first, then the previous ones in ring order, each with its version', () => {
    const ring: PepperRing = { current: pepper(3, 3), previous: [pepper(2, 2), pepper(1, 1)] };
    const token = generateToken();
    expect(candidateHashes(token, ring)).toEqual([
      { hash: hashToken(token, ring.current), version: 3 },
      { hash: hashToken(token, pepper(2, 2)), version: 2 },
      { hash: hashToken(token, pepper(1, 1)), version: 1 },
    ]);
  });

  it('has one candidate when nothing has been rotated', () => {
    const ring: PepperRing = { current: pepper(1, 9), previous: [] };
    expect(candidateHashes('kw_x', ring)).toEqual([{ hash: hashToken('kw_x', ring.current), version: 1 }]);
  });

  it('finds a token stored before a rotation under the version it was stored with', () => {
    const before: PepperRing = { current: pepper(1, 1), previous: [] };
    const after: PepperRing = { current: pepper(2, 2), previous: [before.current] };
    const token = generateToken();
    const stored = candidateHashes(token, before)[0]!;
    const match = candidateHashes(token, after).find((c) => c.hash === stored.hash);
    expect(match).toEqual(stored);
    expect(candidateHashes(token, after)[0]!.hash).not.toBe(stored.hash);
  });
});

describe('constantTimeEqual and pepper keys', () => {
  it('compares strings by content, including different lengths and non-ASCII text', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('é', 'e\u0301')).toBe(false);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(a === b);
      }),
    );
  });

  it('generates 32-byte pepper keys that differ', () => {
    const a = generatePepperKey();
    const b = generatePepperKey();
    expect(a).toHaveLength(PEPPER_BYTES);
    expect(PEPPER_BYTES).toBe(32);
    expect(a.equals(b)).toBe(false);
  });
});
