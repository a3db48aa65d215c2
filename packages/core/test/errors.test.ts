import { describe, expect, it } from 'vitest';
import {
  ERROR_CATALOG,
  ERROR_TYPE_BASE,
  type ErrorCode,
  errorTypeUri,
  KeywardError,
  VERIFY_ERROR,
} from '../src/errors.ts';
import { VERIFY_CODES } from '../src/verify.ts';

const codes = Object.keys(ERROR_CATALOG) as ErrorCode[];

describe('error catalog', () => {
  it('uses stable UPPER_SNAKE codes with 4xx/5xx statuses and a title', () => {
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) {
      const { status, title } = ERROR_CATALOG[code];
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/);
      expect(Number.isInteger(status) && status >= 400 && status <= 599).toBe(true);
      expect(title.trim().length).toBeGreaterThan(0);
      expect(title.endsWith('.')).toBe(false);
    }
  });

  it('gives each code its own problem type URI', () => {
    const uris = codes.map(errorTypeUri);
    expect(new Set(uris).size).toBe(codes.length);
    expect(errorTypeUri('TOKEN_IN_URL')).toBe(`${ERROR_TYPE_BASE}token-in-url`);
    for (const uri of uris) expect(uri).toMatch(/^https:\/\/keyward\.dev\/errors\/[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });

  it('answers a database outage with 503, never 401 (DESIGN §5)', () => {
    expect(ERROR_CATALOG.DATABASE_UNAVAILABLE.status).toBe(503);
    expect(ERROR_CATALOG.RATE_LIMITED.status).toBe(429);
  });
});

describe('VERIFY_ERROR', () => {
  it('maps every refusal code, and only those, to a catalog code', () => {
    expect(Object.keys(VERIFY_ERROR).sort()).toEqual(VERIFY_CODES.filter((code) => code !== 'VALID').sort());
    for (const code of Object.values(VERIFY_ERROR)) expect(codes).toContain(code);
  });

  it('answers 401 for an unusable token, 403 for a usable one that may not do this, 429 when limited', () => {
    const statusOf = (code: keyof typeof VERIFY_ERROR) => ERROR_CATALOG[VERIFY_ERROR[code]].status;
    for (const code of [
      'MALFORMED',
      'NOT_FOUND',
      'EXPIRED',
      'ROTATED',
      'REVOKED',
      'DISABLED',
      'OWNER_INACTIVE',
    ] as const) {
      expect(statusOf(code)).toBe(401);
    }
    expect(statusOf('INSUFFICIENT_SCOPE')).toBe(403);
    expect(statusOf('IP_NOT_ALLOWED')).toBe(403);
    expect(statusOf('RATE_LIMITED')).toBe(429);
  });
});

describe('KeywardError', () => {
  it('carries code, status from the catalog, detail and context', () => {
    const error = new KeywardError('SCOPE_ESCALATION', 'cannot grant billing:write', {
      scope: 'billing:write',
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('KeywardError');
    expect(error.code).toBe('SCOPE_ESCALATION');
    expect(error.status).toBe(403);
    expect(error.message).toBe('cannot grant billing:write');
    expect(error.context).toEqual({ scope: 'billing:write' });
  });

  it('defaults its message to the catalog title', () => {
    const error = new KeywardError('NOT_FOUND');
    expect(error.message).toBe(ERROR_CATALOG.NOT_FOUND.title);
    expect(error.context).toEqual({});
  });
});
