import { KeywardError } from '@keyward/core';
import type { Page, PageRequest } from './types.ts';

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/**
 * The key inside a cursor, or null for the first page. Node's base64 decoder skips stray
 * characters, so the cursor must also re-encode to itself and pass `isValid`.
 */
export function decodeCursor(
  cursor: string | null | undefined,
  isValid: (key: string) => boolean,
): string | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodeCursor(key) !== cursor || !isValid(key)) throw new KeywardError('INVALID_CURSOR');
  return key;
}

export function checkLimit(page: PageRequest): number {
  if (!Number.isInteger(page.limit) || page.limit < 1) {
    throw new KeywardError('VALIDATION_FAILED', 'limit must be a positive integer');
  }
  return page.limit;
}

/** Rows were fetched with `limit + 1`; the extra row only tells whether another page exists. */
export function toPage<T>(rows: T[], limit: number, keyOf: (item: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
