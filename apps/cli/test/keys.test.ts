import { parseToken } from '@keyward/core';
import { describe, expect, it } from 'vitest';
import { parseEnvKeyLists } from '../src/env-file.ts';
import { parseJson, useCli } from './helpers.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const { cli } = useCli({ offline: true, homePerTest: true });

describe('keys generate', () => {
  it('prints 1000 distinct keys that the server parser accepts and whose checksum catches any one-character change', async () => {
    const res = await cli(['keys', 'generate', '--count', '1000']);
    expect(res.code).toBe(0);
    const keys = res.stdout.trimEnd().split('\n');
    expect(keys).toHaveLength(1000);
    expect(new Set(keys).size).toBe(1000);
    for (const key of keys) expect(parseToken(key)).toMatchObject({ ok: true, token: { prefix: 'kw' } });

    // Every position of a sample, changed to another base62 character, is refused.
    for (const key of keys.slice(0, 25)) {
      for (let i = 0; i < key.length; i++) {
        const original = key[i] as string;
        if (original === '_') continue;
        const offset = (BASE62.indexOf(original) + 1 + (i % 61)) % 62;
        const replacement = BASE62[offset] as string;
        expect(replacement).not.toBe(original);
        const mutated = key.slice(0, i) + replacement + key.slice(i + 1);
        const parsed = parseToken(mutated);
        expect(parsed.ok, `position ${i} of ${key}`).toBe(false);
      }
    }
  });

  it('takes a prefix, answers JSON, and treats bad input as a usage error', async () => {
    const json = await cli(['keys', 'generate', '--count', '3', '--prefix', 'acme_live', '--json']);
    expect(json.code).toBe(0);
    const { keys } = parseJson<{ keys: string[] }>(json.stdout);
    expect(keys).toHaveLength(3);
    for (const key of keys)
      expect(parseToken(key)).toMatchObject({ ok: true, token: { prefix: 'acme_live' } });
    expect((await cli(['keys', 'generate', '--prefix', 'Bad-Prefix'])).code).toBe(2);
    expect((await cli(['keys', 'generate', '--count', '0'])).code).toBe(2);
    expect((await cli(['keys', 'generate', '--count', 'ten'])).code).toBe(2);
  });
});

describe('env file key lists', () => {
  it('reads JSON arrays, single quotes, multi-line arrays and comma lists; ignores other lines', () => {
    const lists = parseEnvKeyLists(
      [
        '# comment',
        'APP_ENV=dev',
        'CLIENT_API_KEYS=["a_key_with \\"quote","b"]  # trailing comment',
        "export MINER_API_KEYS=['m1', 'm2',",
        "  'm3']",
        'ADMIN_API_KEYS=x1, x2 ,x3',
        'OTHER_API_KEYS="q1,q2"',
        'EMPTY_API_KEYS=[]',
      ].join('\n'),
    );
    expect(lists).toEqual([
      { variable: 'CLIENT_API_KEYS', group: 'CLIENT', line: 3, keys: ['a_key_with "quote', 'b'] },
      { variable: 'MINER_API_KEYS', group: 'MINER', line: 4, keys: ['m1', 'm2', 'm3'] },
      { variable: 'ADMIN_API_KEYS', group: 'ADMIN', line: 6, keys: ['x1', 'x2', 'x3'] },
      { variable: 'OTHER_API_KEYS', group: 'OTHER', line: 7, keys: ['q1', 'q2'] },
      { variable: 'EMPTY_API_KEYS', group: 'EMPTY', line: 8, keys: [] },
    ]);
  });

  it('rejects an array that never closes', () => {
    expect(() => parseEnvKeyLists('CLIENT_API_KEYS=["a",\n"b"\n')).toThrow(/never closed/);
  });
});
