import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const I18N_DIR = fileURLToPath(new URL('../src/i18n/', import.meta.url));
const SRC_DIR = fileURLToPath(new URL('../src/', import.meta.url));

const locales = Object.fromEntries(
  readdirSync(I18N_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [
      f.replace('.json', ''),
      JSON.parse(readFileSync(`${I18N_DIR}${f}`, 'utf8')) as Record<string, string>,
    ]),
);

/** The keys the API Access page must use (DESIGN §7, seed 004). */
const REQUIRED_KEYS = [
  'copy-button-aria-label',
  'no-key-text',
  'generate-key-text',
  'regenerate-button-text',
  'text-field-label',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(`${dir}${entry.name}/`)
      : /\.tsx?$/.test(entry.name)
        ? [`${dir}${entry.name}`]
        : [],
  );
}

describe('console translations', () => {
  it('has English and German', () => {
    expect(Object.keys(locales).sort()).toEqual(['de', 'en']);
  });

  it('every language has exactly the same keys, none empty', () => {
    const [reference, ...others] = Object.entries(locales);
    if (!reference) throw new Error('no locale files');
    const [refName, refMessages] = reference;
    for (const [name, messages] of others) {
      const missing = Object.keys(refMessages).filter((k) => !(k in messages));
      const extra = Object.keys(messages).filter((k) => !(k in refMessages));
      expect({ language: name, missing, extra }).toEqual({ language: name, missing: [], extra: [] });
    }
    for (const [name, messages] of Object.entries(locales)) {
      const empty = Object.entries(messages).filter(([, v]) => typeof v !== 'string' || v.trim() === '');
      expect(empty, `empty messages in ${name} (reference ${refName})`).toEqual([]);
    }
  });

  it('keeps the same interpolation variables in every language', () => {
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    const en = locales.en ?? {};
    for (const [name, messages] of Object.entries(locales)) {
      for (const [key, value] of Object.entries(messages)) {
        expect(vars(value), `${name}:${key}`).toEqual(vars(en[key] ?? ''));
      }
    }
  });

  it('defines the API Access keys and the API Access page uses them', () => {
    const page = readFileSync(`${SRC_DIR}pages/api-access.tsx`, 'utf8');
    const reveal = readFileSync(`${SRC_DIR}components/secret-reveal.tsx`, 'utf8');
    for (const key of REQUIRED_KEYS) {
      for (const messages of Object.values(locales)) expect(messages[key], key).toBeTruthy();
      expect(page.includes(`'${key}'`) || reveal.includes(`'${key}'`), `${key} is used`).toBe(true);
    }
  });

  it('every literal key used in the sources exists in English', () => {
    const en = locales.en ?? {};
    const used = new Set<string>();
    for (const file of sourceFiles(SRC_DIR)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([^'$]+)'/g)) if (m[1]) used.add(m[1]);
    }
    const plural = (k: string) => `${k}_one` in en && `${k}_other` in en;
    const missing = [...used].filter((k) => !(k in en) && !plural(k));
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(100);
  });
});
