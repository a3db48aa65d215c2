import { describe, expect, it } from 'vitest';
import { addressAllowed, decideAddress, MAX_ALLOWED_IPS, parseAllowedIps } from '../src/ip-allowlist.ts';
import { checkMetadata, MAX_METADATA_BYTES, metadataHeaderValue } from '../src/token-metadata.ts';
import { decide } from '../src/verify.ts';
import { liveState, NOW } from './support.ts';

describe('parseAllowedIps', () => {
  it('normalises addresses to CIDRs, keeps ranges, drops duplicates', () => {
    expect(parseAllowedIps(['203.0.113.7', '10.0.0.0/8', '2001:DB8::/32', '::1', '10.0.0.0/8'])).toEqual({
      ok: true,
      cidrs: ['203.0.113.7/32', '10.0.0.0/8', '2001:db8::/32', '::1/128'],
    });
    expect(parseAllowedIps(['::ffff:192.0.2.1'])).toEqual({ ok: true, cidrs: ['192.0.2.1/32'] });
  });

  it.each([
    ['example.com'],
    ['10.0.0.0/33'],
    ['::/129'],
    ['10.0.0.1/8/1'],
    ['10.0.0.0/-1'],
    ['10.0.0.0/'],
    [''],
  ])('refuses %j', (entry) => {
    expect(parseAllowedIps([entry]).ok).toBe(false);
  });

  it('refuses more than the maximum of entries', () => {
    const many = Array.from({ length: MAX_ALLOWED_IPS + 1 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    expect(parseAllowedIps(many).ok).toBe(false);
    expect(parseAllowedIps(many.slice(1)).ok).toBe(true);
  });
});

describe('addressAllowed', () => {
  const list = ['10.1.0.0/16', '2001:db8::/32', '198.51.100.9/32'];

  it('admits addresses inside a range, IPv4-mapped IPv6 included, and refuses others', () => {
    expect(addressAllowed(list, '10.1.200.3')).toBe(true);
    expect(addressAllowed(list, '::ffff:10.1.0.1')).toBe(true);
    expect(addressAllowed(list, '2001:db8:1::5')).toBe(true);
    expect(addressAllowed(list, '198.51.100.9')).toBe(true);
    expect(addressAllowed(list, '10.2.0.1')).toBe(false);
    expect(addressAllowed(list, '198.51.100.10')).toBe(false);
    expect(addressAllowed(list, '2001:db9::1')).toBe(false);
    expect(addressAllowed(list, 'not an address')).toBe(false);
  });

  it('lets an empty list admit every address', () => {
    expect(addressAllowed([], '192.0.2.1')).toBe(true);
  });
});

describe('decideAddress', () => {
  const state = liveState();

  it('refuses an admitted or scope-refused token from outside its allowlist', () => {
    expect(decideAddress(decide({ state, now: NOW }), ['10.0.0.0/8'], '192.0.2.1').code).toBe(
      'IP_NOT_ALLOWED',
    );
    const scope = decide({ state, now: NOW, requiredScopes: ['tokens:write'] });
    expect(decideAddress(scope, ['10.0.0.0/8'], '192.0.2.1')).toEqual({
      valid: false,
      code: 'IP_NOT_ALLOWED',
    });
  });

  it('keeps the answer inside the allowlist and a refusal for the token itself', () => {
    const valid = decide({ state, now: NOW });
    expect(decideAddress(valid, ['10.0.0.0/8'], '10.9.9.9')).toBe(valid);
    const revoked = decide({ state: liveState({ revokedAt: NOW - 1 }), now: NOW });
    expect(decideAddress(revoked, ['10.0.0.0/8'], '192.0.2.1').code).toBe('REVOKED');
  });
});

describe('checkMetadata', () => {
  it('accepts a JSON object and returns a copy', () => {
    const input = { plan: 'pro', limits: { seats: 3 }, tags: ['a'] };
    const check = checkMetadata(input);
    expect(check).toEqual({ ok: true, metadata: input });
  });

  it.each([[null], [[1, 2]], ['text'], [3]])('refuses %j', (value) => {
    expect(checkMetadata(value).ok).toBe(false);
  });

  it('refuses more than 4 KB and deep nesting', () => {
    const exact = { k: 'x'.repeat(MAX_METADATA_BYTES - 8) };
    expect(JSON.stringify(exact).length).toBe(MAX_METADATA_BYTES);
    expect(checkMetadata(exact).ok).toBe(true);
    expect(checkMetadata({ k: 'x'.repeat(MAX_METADATA_BYTES - 7) }).ok).toBe(false);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 9; i++) deep = { d: deep };
    expect(checkMetadata(deep).ok).toBe(false);
  });

  it('renders a header value in ASCII that parses back to the metadata', () => {
    const metadata = { name: 'Zoë ✓', n: 1 };
    const value = metadataHeaderValue(metadata);
    expect(/^[\x20-\x7e]*$/.test(value)).toBe(true);
    expect(JSON.parse(value)).toEqual(metadata);
  });
});

describe('addressAllowed: range edges', () => {
  it('matches prefixes of any length on both families, embedded IPv4 and zero-compression included', () => {
    expect(addressAllowed(['0.0.0.0/0'], '255.255.255.255')).toBe(true);
    expect(addressAllowed(['192.0.2.128/25'], '192.0.2.128')).toBe(true);
    expect(addressAllowed(['192.0.2.128/25'], '192.0.2.255')).toBe(true);
    expect(addressAllowed(['192.0.2.128/25'], '192.0.2.127')).toBe(false);
    expect(addressAllowed(['10.0.0.0/7'], '11.255.0.1')).toBe(true);
    expect(addressAllowed(['10.0.0.0/7'], '12.0.0.1')).toBe(false);
    expect(addressAllowed(['::/0'], '2001:db8::1')).toBe(true);
    expect(addressAllowed(['2001:db8:abcd:12::/63'], '2001:db8:abcd:13:ffff::1')).toBe(true);
    expect(addressAllowed(['2001:db8:abcd:12::/63'], '2001:db8:abcd:14::1')).toBe(false);
    expect(addressAllowed(['fe80::/10'], 'fe80::1%eth0')).toBe(true);
    expect(addressAllowed(['::1/128'], '0:0:0:0:0:0:0:1')).toBe(true);
    expect(addressAllowed(['64:ff9b::/96'], '64:ff9b::192.0.2.33')).toBe(true);
    expect(addressAllowed(['64:ff9b::c000:221/128'], '64:ff9b::192.0.2.33')).toBe(true);
    expect(addressAllowed(['2001:db8::/32'], '10.0.0.1')).toBe(false);
    expect(addressAllowed(['10.0.0.0/8'], '2001:db8::1')).toBe(false);
  });
});
