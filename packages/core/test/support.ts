import fc from 'fast-check';
import type { Scope } from '../src/scopes.ts';
import type { TokenState } from '../src/verify.ts';

/** The base62 alphabet, spelled out here so the tests do not borrow it from the code under test. */
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function decodeBase62(text: string): bigint {
  let value = 0n;
  for (const char of text) {
    const digit = BASE62.indexOf(char);
    if (digit < 0) throw new Error(`not base62: ${char}`);
    value = value * 62n + BigInt(digit);
  }
  return value;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** Reference CRC-32 (IEEE 802.3, as zlib), independent of node:zlib. */
export function referenceCrc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// Small domains on purpose: collisions between generated scopes are what exercise the wildcard logic.
const resources = ['tokens', 'billing', 'usage', 'keyward', 'service_accounts'] as const;
const actions = ['read', 'write', 'admin', 'verify'] as const;

export const concreteScopeArb: fc.Arbitrary<Scope> = fc
  .tuple(fc.constantFrom(...resources), fc.constantFrom(...actions))
  .map(([resource, action]) => `${resource}:${action}`);

export const scopeArb: fc.Arbitrary<Scope> = fc
  .tuple(fc.constantFrom(...resources, '*'), fc.constantFrom(...actions, '*'))
  .map(([resource, action]) => `${resource}:${action}`);

export const scopesArb: fc.Arbitrary<Scope[]> = fc.array(scopeArb, { maxLength: 6 });

export const NOW = 1_750_000_000_000;

/** A token that passes every check of the decision; tests override one field at a time. */
export function liveState(overrides: Partial<TokenState> = {}): TokenState {
  return {
    tokenId: 'tok_01jx0000000000000000000000',
    projectId: 'prj_01jx0000000000000000000000',
    ownerType: 'user',
    ownerId: 'usr_01jx0000000000000000000000',
    name: 'ci',
    scopes: ['tokens:read', 'billing:*'],
    ownerScopes: ['*:*'],
    ownerActive: true,
    expiresAt: null,
    revokedAt: null,
    disabledAt: null,
    secretExpiresAt: null,
    ...overrides,
  };
}
