import { isId, newIdBody } from '@keyward/core';
import { describe, expect, it } from 'vitest';
import { newRequestId } from '../src/services/request-ids.ts';

describe('newRequestId', () => {
  it('is a request id whose time part encodes the time it was made at, as every other id', () => {
    for (const at of [0, 1, 1_733_500_000_000, 1_733_500_000_001, 1_733_500_000_001, 2 ** 40]) {
      const id = newRequestId(at);
      expect(isId('request', id)).toBe(true);
      expect(id.slice(4, 14)).toBe(newIdBody(at).slice(0, 10));
    }
  });

  it('never repeats, also across refills of its random pool and within one millisecond', () => {
    const at = Date.now();
    const ids = Array.from({ length: 5_000 }, () => newRequestId(at));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-hjkmnp-tv-z]{26}$/);
    // The random parts use the whole alphabet: a stuck or narrowed pool would show here.
    expect(new Set(ids.flatMap((id) => [...id.slice(14)])).size).toBe(32);
  });
});
