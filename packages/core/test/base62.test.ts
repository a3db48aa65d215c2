import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base62Width, bytesToBigInt, encodeBase62 } from '../src/base62.ts';
import { decodeBase62 } from './support.ts';

describe('base62', () => {
  it('encodes with left padding to a fixed width', () => {
    expect(encodeBase62(0n, 3)).toBe('000');
    expect(encodeBase62(61n, 2)).toBe('0z');
    expect(encodeBase62(62n, 2)).toBe('10');
    expect(encodeBase62(62n ** 2n - 1n, 2)).toBe('zz');
  });

  it('refuses values that do not fit', () => {
    expect(() => encodeBase62(62n ** 2n, 2)).toThrow(RangeError);
  });

  it('round-trips through an independent decoder', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), (value) => {
        const text = encodeBase62(value, 43);
        expect(text).toHaveLength(43);
        expect(decodeBase62(text)).toBe(value);
      }),
    );
  });

  it('reads bytes big-endian', () => {
    expect(bytesToBigInt(new Uint8Array([]))).toBe(0n);
    expect(bytesToBigInt(new Uint8Array([1, 0]))).toBe(256n);
    expect(bytesToBigInt(new Uint8Array(32).fill(0xff))).toBe(2n ** 256n - 1n);
  });

  it('uses the smallest width that holds every value of the byte length', () => {
    for (const bytes of [1, 4, 16, 32, 64]) {
      const width = base62Width(bytes);
      expect(62n ** BigInt(width)).toBeGreaterThanOrEqual(2n ** BigInt(bytes * 8));
      expect(62n ** BigInt(width - 1)).toBeLessThan(2n ** BigInt(bytes * 8));
    }
    expect(base62Width(32)).toBe(43);
  });
});
