import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ID_PREFIXES, type IdKind, idPattern, isId, newId, newIdBody } from '../src/ids.ts';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const KINDS = Object.keys(ID_PREFIXES) as IdKind[];
const kindArb = fc.constantFrom(...KINDS);
const MAX_TIME = 2 ** 48 - 1;
const timeArb = fc.integer({ min: 0, max: MAX_TIME });

function decodeTime(body: string): number {
  let value = 0;
  for (const char of body.slice(0, 10)) value = value * 32 + CROCKFORD.indexOf(char);
  return value;
}

describe('newId', () => {
  it('uses the documented type prefixes', () => {
    expect(ID_PREFIXES).toMatchObject({
      project: 'prj',
      user: 'usr',
      serviceAccount: 'sa',
      token: 'tok',
      error: 'err',
      event: 'evt',
    });
    expect(new Set(Object.values(ID_PREFIXES)).size).toBe(KINDS.length);
  });

  it('makes `<prefix>_<26 Crockford base32 characters>` ids that carry their creation time', () => {
    fc.assert(
      fc.property(kindArb, timeArb, (kind, now) => {
        const id = newId(kind, now);
        const [prefix, body, ...rest] = id.split('_');
        expect(prefix).toBe(ID_PREFIXES[kind]);
        expect(rest).toEqual([]);
        expect(body).toMatch(/^[0-9a-hjkmnp-tv-z]{26}$/);
        expect(decodeTime(body!)).toBe(now);
      }),
    );
  });

  it('defaults to the current time', () => {
    const before = Date.now();
    const time = decodeTime(newIdBody());
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });

  it('does not repeat within one millisecond', () => {
    const ids = new Set(Array.from({ length: 5000 }, () => newId('token', 1_750_000_000_000)));
    expect(ids.size).toBe(5000);
  });

  it('sorts as text in creation order when made at increasing times', () => {
    fc.assert(
      fc.property(fc.uniqueArray(timeArb, { minLength: 2, maxLength: 30 }), kindArb, (times, kind) => {
        const increasing = [...times].sort((a, b) => a - b);
        const ids = increasing.map((now) => newId(kind, now));
        expect([...ids].sort()).toEqual(ids);
      }),
    );
  });

  it('sorts neighbouring milliseconds correctly across every digit carry', () => {
    for (const now of [31, 1023, 32767, 2 ** 40 - 1, MAX_TIME - 1]) {
      expect(newId('event', now) < newId('event', now + 1)).toBe(true);
    }
  });
});

describe('isId and idPattern', () => {
  it('accept ids of their own kind only', () => {
    fc.assert(
      fc.property(kindArb, kindArb, timeArb, (kind, other, now) => {
        const id = newId(kind, now);
        const pattern = new RegExp(idPattern(other));
        expect(isId(other, id)).toBe(kind === other);
        expect(pattern.test(id)).toBe(kind === other);
      }),
    );
  });

  it('reject look-alikes', () => {
    const good = newId('token', 1_750_000_000_000);
    const body = good.slice(4);
    const bad: unknown[] = [
      undefined,
      null,
      42,
      { id: good },
      good.toUpperCase(),
      `tok_${body.slice(1)}`, // 25 characters
      `${good}0`, // 27 characters
      `tok-${body}`,
      `tok__${body}`,
      ` ${good}`,
      `${good}\n`,
      ...['i', 'l', 'o', 'u'].map((char) => `tok_${char}${body.slice(1)}`), // not in Crockford base32
    ];
    const pattern = new RegExp(idPattern('token'));
    for (const value of bad) {
      expect(isId('token', value)).toBe(false);
      if (typeof value === 'string') expect(pattern.test(value)).toBe(false);
    }
    expect(isId('token', good)).toBe(true);
  });
});
