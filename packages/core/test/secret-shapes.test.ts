import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { newId } from '../src/ids.ts';
import { containsSecret, REDACTED, redactPath, urlCarriesSecret } from '../src/secret-shapes.ts';
import { generateToken } from '../src/token-format.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const randomBase62 = (n: number) => [...randomBytes(n)].map((b) => BASE62[b % 62]).join('');
const cursorOf = (key: string) => Buffer.from(key, 'utf8').toString('base64url');

describe('token-shaped text', () => {
  test('Keyward tokens of any prefix are found, a wrong checksum included', () => {
    for (const prefix of ['kw', 'acme', 'acme_live']) {
      const token = generateToken(prefix);
      expect(containsSecret(token)).toBe(true);
      expect(containsSecret(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBe(true);
      expect(containsSecret(`/v1/tokens/${token}/rotate`)).toBe(true);
    }
  });

  test('random legacy keys are found: mixed-case base62 of 32 characters (nearly all), long hex', () => {
    const keys = Array.from({ length: 1000 }, () => `sk_live_${randomBase62(32)}`);
    // A short random string can happen to look tame (no digit, long letter runs): best effort.
    expect(keys.filter(containsSecret).length).toBeGreaterThan(970);
    expect(containsSecret(randomBytes(20).toString('hex'))).toBe(true);
  });

  test.each([
    ...['token', 'project', 'role', 'error', 'request', 'serviceAccount'].map((k) => newId(k as 'token')),
    '/v1/service-accounts/sa_01hxyz/tokens',
    'ServiceAccountsListV2Handler',
    'GetUserAccountsByProjectId2',
    '/console/assets/index-D3x9Kq2a.js',
    'client_dev_key_1_valid',
    '550e8400-e29b-41d4-a716-446655440000',
  ])('names, ids and paths are not secrets: %s', (text) => {
    expect(containsSecret(text)).toBe(false);
  });

  test('a secret path segment is redacted, percent-encoded or not; the rest of the path stays', () => {
    const token = generateToken();
    expect(redactPath(`/v1/tokens/${token}/rotate`)).toBe(`/v1/tokens/${REDACTED}/rotate`);
    const encoded = `${token.slice(0, 3)}%${token.charCodeAt(3).toString(16)}${token.slice(4)}`;
    expect(redactPath(`/v1/me/${encoded}`)).toBe(`/v1/me/${REDACTED}`);
    expect(redactPath('/v1/tokens/tok_01aaaaaaaaaaaaaaaaaaaaaaaa')).toBe(
      '/v1/tokens/tok_01aaaaaaaaaaaaaaaaaaaaaaaa',
    );
    expect(redactPath('/v1/%zz')).toBe('/v1/%zz');
  });

  test('a token anywhere in a URL is found; pagination cursors and ordinary queries are not', () => {
    const token = generateToken();
    for (const url of [
      `/v1/tokens/${token}`,
      `/v1/me/${token}`,
      `/v1/me?key=x`,
      `/v1/me?access_token=${token}`,
      `/v1/tokens?search=${token}`,
      `/v1/tokens?search=${encodeURIComponent(token)}`,
      `/v1/tokens?${token}`,
      `/v1/tokens?q=sk_live_${randomBase62(32)}`,
      `/v1/tokens?cursor=${token}`,
    ])
      expect(urlCarriesSecret(url), url).toBe(true);
    fc.assert(
      fc.property(fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }), (at) => {
        const cursor = cursorOf(`${at}|${newId('token', at)}`);
        return !urlCarriesSecret(`/v1/tokens?limit=50&cursor=${cursor}&status=active`);
      }),
    );
    expect(urlCarriesSecret('/v1/tokens?search=ci%20deploy&limit=%zz')).toBe(false);
  });
});
