import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ERROR_CATALOG, VERIFY_ERROR } from '../src/index.ts';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

describe('docs/errors.md matches the catalog', () => {
  test('every code is documented with its status and title, and nothing else is', () => {
    const documented = [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \| (.+) \|$/gm)].map((m) => [
      m[1],
      Number(m[2]),
      m[3],
    ]);
    expect(documented).toEqual(Object.entries(ERROR_CATALOG).map(([code, e]) => [code, e.status, e.title]));
  });

  test('every verification outcome is mapped in the docs as in the code', () => {
    const documented = [...doc.matchAll(/^\| `([A-Z_]+)` \| `([A-Z_]+)` \|$/gm)].map((m) => [m[1], m[2]]);
    expect(documented).toEqual(Object.entries(VERIFY_ERROR));
  });
});
