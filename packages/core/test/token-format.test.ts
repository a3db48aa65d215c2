import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_LENGTH,
  DEFAULT_TOKEN_PREFIX,
  formatToken,
  generateToken,
  isAcceptableLegacyKey,
  isValidPrefix,
  LEGACY_KEY_MIN_LENGTH,
  MAX_TOKEN_LENGTH,
  parseToken,
  SECRET_BYTES,
  SECRET_LENGTH,
  TOKEN_PATTERN,
  tokenHint,
} from '../src/token-format.ts';
import { BASE62, decodeBase62, referenceCrc32 } from './support.ts';

const VALID_PREFIXES = [
  'kw',
  'acme',
  'acme_live',
  'a1',
  'x1_y2',
  'abcdefghijklmnop',
  'abcdefghijklmnop_qrstuvwxyz012345',
];
const INVALID_PREFIXES = [
  'k', // too short
  'KW', // upper case
  '1kw', // must start with a letter
  'kw-live',
  'kw.live',
  'abcdefghijklmnopq', // 17 characters
  'acme_live_eu', // at most one environment
  'acme_',
  '_acme',
  'acme__live',
  'acme_l', // the environment follows the same rules as the name
  'acme_1ive',
  'kw ',
  'kẃ',
];

const prefixArb = fc.constantFrom(...VALID_PREFIXES);
const secretArb = fc.uint8Array({ minLength: SECRET_BYTES, maxLength: SECRET_BYTES });

/** Builds a token with a correct checksum around any prefix, so the prefix is the only fault. */
function tokenWithPrefix(prefix: string, body = 'A'.repeat(SECRET_LENGTH)): string {
  const head = `${prefix}_${body}`;
  return head + encodeChecksum(referenceCrc32(head));
}

function encodeChecksum(value: number): string {
  let out = '';
  let rest = BigInt(value);
  while (rest > 0n) {
    out = BASE62[Number(rest % 62n)] + out;
    rest /= 62n;
  }
  return out.padStart(CHECKSUM_LENGTH, '0');
}

describe('generate and parse', () => {
  it('parses every generated token back to its prefix', () => {
    fc.assert(
      fc.property(prefixArb, secretArb, (prefix, secret) => {
        const token = formatToken(prefix, secret);
        expect(parseToken(token)).toEqual({ ok: true, token: { prefix, hint: tokenHint(token) } });
      }),
    );
    const token = generateToken();
    expect(token.startsWith(`${DEFAULT_TOKEN_PREFIX}_`)).toBe(true);
    expect(parseToken(token).ok).toBe(true);
  });

  it('lays a token out as prefix, 43 base62 secret characters and a 6-character CRC32 of the rest', () => {
    fc.assert(
      fc.property(prefixArb, secretArb, (prefix, secret) => {
        const token = formatToken(prefix, secret);
        expect(token).toHaveLength(prefix.length + 1 + SECRET_LENGTH + CHECKSUM_LENGTH);
        const secretPart = token.slice(prefix.length + 1, prefix.length + 1 + SECRET_LENGTH);
        const checksumPart = token.slice(-CHECKSUM_LENGTH);
        expect(decodeBase62(secretPart)).toBe(BigInt(`0x${Buffer.from(secret).toString('hex')}`));
        expect(decodeBase62(checksumPart)).toBe(BigInt(referenceCrc32(token.slice(0, -CHECKSUM_LENGTH))));
      }),
    );
  });

  it('encodes a known secret to a known token (interoperability vector)', () => {
    const zeros = formatToken('kw', new Uint8Array(SECRET_BYTES));
    const head = `kw_${'0'.repeat(SECRET_LENGTH)}`;
    expect(zeros).toBe(head + encodeChecksum(referenceCrc32(head)));
    const ones = formatToken('kw', new Uint8Array(SECRET_BYTES).fill(0xff));
    expect(decodeBase62(ones.slice(3, 3 + SECRET_LENGTH))).toBe(2n ** 256n - 1n);
  });

  it('generates a different secret every time', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generateToken('acme_live')));
    expect(tokens.size).toBe(1000);
  });

  it('refuses to format with a secret of the wrong size', () => {
    expect(() => formatToken('kw', new Uint8Array(31))).toThrow(RangeError);
    expect(() => formatToken('kw', new Uint8Array(33))).toThrow(RangeError);
  });
});

describe('prefixes', () => {
  it('parses prefixes that contain an underscore from the right', () => {
    const token = formatToken('acme_live', new Uint8Array(SECRET_BYTES).fill(7));
    const parsed = parseToken(token);
    expect(parsed).toEqual({
      ok: true,
      token: { prefix: 'acme_live', hint: `acme_live_…${token.slice(-4)}` },
    });
  });

  it.each(VALID_PREFIXES)('accepts the prefix %j', (prefix) => {
    expect(isValidPrefix(prefix)).toBe(true);
  });

  it.each(INVALID_PREFIXES)('rejects the prefix %j when formatting and when parsing', (prefix) => {
    expect(isValidPrefix(prefix)).toBe(false);
    expect(() => formatToken(prefix, new Uint8Array(SECRET_BYTES))).toThrow(RangeError);
    expect(parseToken(tokenWithPrefix(prefix))).toEqual({ ok: false, reason: 'BAD_PREFIX' });
  });

  it('rejects a token without any prefix as badly shaped', () => {
    expect(parseToken(tokenWithPrefix(''))).toEqual({ ok: false, reason: 'BAD_SHAPE' });
    expect(parseToken('A'.repeat(SECRET_LENGTH + CHECKSUM_LENGTH))).toEqual({
      ok: false,
      reason: 'BAD_SHAPE',
    });
  });
});

describe('checksum', () => {
  function expectRejected(original: string, mutated: string, position: number) {
    const result = parseToken(mutated);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const separator = original.lastIndexOf('_');
    if (position > separator) expect(result.reason).toBe('BAD_CHECKSUM');
    else if (position === separator) expect(result.reason).toBe('BAD_SHAPE');
    else expect(['BAD_PREFIX', 'BAD_CHECKSUM']).toContain(result.reason);
  }

  it('rejects every single-character change of one token (exhaustive)', () => {
    const token = formatToken(
      'acme_live',
      new Uint8Array(SECRET_BYTES).map((_, i) => i * 37),
    );
    let tried = 0;
    for (let position = 0; position < token.length; position++) {
      for (const char of BASE62) {
        if (char === token[position]) continue;
        expectRejected(token, token.slice(0, position) + char + token.slice(position + 1), position);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(token.length * 60);
  });

  it('rejects a single-character change at any position of any token', () => {
    fc.assert(
      fc.property(prefixArb, secretArb, fc.nat(), fc.constantFrom(...BASE62), (prefix, secret, at, char) => {
        const token = formatToken(prefix, secret);
        const position = at % token.length;
        fc.pre(token[position] !== char);
        expectRejected(token, token.slice(0, position) + char + token.slice(position + 1), position);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects two swapped neighbouring characters in the secret and checksum', () => {
    fc.assert(
      fc.property(prefixArb, secretArb, fc.nat(), (prefix, secret, at) => {
        const token = formatToken(prefix, secret);
        const start = prefix.length + 1;
        const position = start + (at % (token.length - start - 1));
        fc.pre(token[position] !== token[position + 1]);
        const swapped =
          token.slice(0, position) + token[position + 1] + token[position] + token.slice(position + 2);
        expect(parseToken(swapped)).toEqual({ ok: false, reason: 'BAD_CHECKSUM' });
      }),
      { numRuns: 500 },
    );
  });
});

describe('published pattern', () => {
  it('is the pattern documented for secret scanners (ADR 0001)', () => {
    expect(TOKEN_PATTERN).toBe(
      String.raw`\b([a-z][a-z0-9]{1,15}(?:_[a-z][a-z0-9]{1,15})?)_([0-9A-Za-z]{49})\b`,
    );
  });

  it('matches every generated token exactly', () => {
    const whole = new RegExp(`^(?:${TOKEN_PATTERN})$`);
    fc.assert(
      fc.property(prefixArb, secretArb, (prefix, secret) => {
        const match = whole.exec(formatToken(prefix, secret));
        expect(match?.[1]).toBe(prefix);
      }),
    );
  });

  it('finds tokens embedded in text, with their prefixes', () => {
    const a = formatToken('kw', new Uint8Array(SECRET_BYTES).fill(1));
    const b = formatToken('acme_live', new Uint8Array(SECRET_BYTES).fill(2));
    const c = formatToken('ab1', new Uint8Array(SECRET_BYTES).fill(3));
    const d = formatToken('kw', new Uint8Array(SECRET_BYTES).fill(4));
    const text = [
      `Authorization: Bearer ${a}`,
      `{"client_api_keys":["${b}"]}`,
      `export KEYWARD_TOKEN=${c}`,
      `curl https://api.example.com/v1/things?api_key=${d}&page=2.`,
    ].join('\n');
    const found = [...text.matchAll(new RegExp(TOKEN_PATTERN, 'g'))].map((m) => [m[0], m[1]]);
    expect(found).toEqual([
      [a, 'kw'],
      [b, 'acme_live'],
      [c, 'ab1'],
      [d, 'kw'],
    ]);
  });

  it('does not match near misses', () => {
    const token = formatToken('kw', new Uint8Array(SECRET_BYTES).fill(9));
    const re = new RegExp(TOKEN_PATTERN);
    expect(re.test(token.slice(0, -1))).toBe(false); // one character short
    expect(re.test(`${token}x`)).toBe(false); // one character too long
    expect(re.test(`K${token.slice(1)}`)).toBe(false); // upper-case prefix
    expect(re.test(token.replace('kw_', 'kw-'))).toBe(false);
  });
});

describe('length and character limits', () => {
  it('rejects the empty string and anything longer than the maximum before looking further', () => {
    expect(parseToken('')).toEqual({ ok: false, reason: 'EMPTY' });
    expect(parseToken('x'.repeat(MAX_TOKEN_LENGTH + 1))).toEqual({ ok: false, reason: 'TOO_LONG' });
    expect(parseToken('x'.repeat(MAX_TOKEN_LENGTH))).toEqual({ ok: false, reason: 'BAD_SHAPE' });
  });

  it('rejects a body one character short or long', () => {
    const token = formatToken('kw', new Uint8Array(SECRET_BYTES).fill(5));
    expect(parseToken(token.slice(0, -1))).toEqual({ ok: false, reason: 'BAD_SHAPE' });
    expect(parseToken(`${token}0`)).toEqual({ ok: false, reason: 'BAD_SHAPE' });
  });

  it('parses the longest possible token', () => {
    const prefix = 'abcdefghijklmnop_qrstuvwxyz012345';
    const token = formatToken(prefix, new Uint8Array(SECRET_BYTES).fill(0xff));
    expect(token.length).toBe(33 + 1 + SECRET_LENGTH + CHECKSUM_LENGTH);
    expect(parseToken(token).ok).toBe(true);
  });

  it('does not trim: surrounding whitespace or a trailing newline makes a token malformed', () => {
    const token = formatToken('kw', new Uint8Array(SECRET_BYTES).fill(6));
    expect(parseToken(`${token}\n`)).toEqual({ ok: false, reason: 'BAD_SHAPE' });
    expect(parseToken(`${token} `)).toEqual({ ok: false, reason: 'BAD_SHAPE' });
    expect(parseToken(` ${token}`)).toEqual({ ok: false, reason: 'BAD_PREFIX' });
    expect(parseToken(`${token.slice(0, 10)}é${token.slice(11)}`)).toEqual({
      ok: false,
      reason: 'BAD_SHAPE',
    });
  });
});

describe('tokenHint', () => {
  it('shows the prefix and the last four characters, nothing else of the secret', () => {
    fc.assert(
      fc.property(prefixArb, secretArb, (prefix, secret) => {
        const token = formatToken(prefix, secret);
        const hint = tokenHint(token);
        expect(hint).toBe(`${prefix}_…${token.slice(-4)}`);
        expect(hint.length).toBe(prefix.length + 6);
      }),
    );
  });

  // Imported keys get hints too (they are listed like any token). Their "prefix" is not a
  // Keyward prefix, so everything before their last `_` would be shown in lists and audit rows.
  it('reveals only the last four characters of a key that is not a Keyward token', () => {
    const legacy = 'Zq8vN2kLmT4x_9PwR';
    expect(isAcceptableLegacyKey(legacy)).toBe(true);
    const hint = tokenHint(legacy);
    expect(hint.endsWith('9PwR')).toBe(true);
    expect(hint).not.toContain('Zq8v');
  });
});

describe('isAcceptableLegacyKey', () => {
  it(`needs at least ${LEGACY_KEY_MIN_LENGTH} and at most ${MAX_TOKEN_LENGTH} characters`, () => {
    expect(LEGACY_KEY_MIN_LENGTH).toBe(16);
    expect(isAcceptableLegacyKey('a'.repeat(15))).toBe(false);
    expect(isAcceptableLegacyKey('a'.repeat(16))).toBe(true);
    expect(isAcceptableLegacyKey('a'.repeat(MAX_TOKEN_LENGTH))).toBe(true);
    expect(isAcceptableLegacyKey('a'.repeat(MAX_TOKEN_LENGTH + 1))).toBe(false);
    expect(isAcceptableLegacyKey('')).toBe(false);
  });

  it('accepts every printable ASCII character and nothing else', () => {
    const printable = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join(
      '',
    );
    expect(isAcceptableLegacyKey(printable)).toBe(true);
    for (const bad of [' ', '\t', '\n', '\x7f', '\x00', 'é', '🔑']) {
      expect(isAcceptableLegacyKey(`sk-live-0123456789${bad}abc`)).toBe(false);
    }
  });

  // DESIGN §4: "Malformed tokens and bad checksums are rejected before any hashing or database
  // access." Once keys have been imported, the verifier also admits anything this function
  // accepts, so a mistyped Keyward token must not pass as a legacy key.
  it('does not accept a Keyward-shaped token whose checksum is wrong', () => {
    const token = formatToken('kw', new Uint8Array(SECRET_BYTES).fill(8));
    const typo = token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a') + token.slice(11);
    expect(parseToken(typo)).toEqual({ ok: false, reason: 'BAD_CHECKSUM' });
    expect(isAcceptableLegacyKey(typo)).toBe(false);
  });
});
