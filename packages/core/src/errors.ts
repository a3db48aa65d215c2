import type { VerifyCode } from './verify.ts';

/** One catalog: every error Keyward answers with, its HTTP status and a stable title. */
export const ERROR_CATALOG = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON' },
  TOKEN_IN_URL: { status: 400, title: 'Tokens must not be sent in the URL' },
  MALFORMED_REQUEST: { status: 400, title: 'The request is not valid HTTP' },
  AUTHORIZATION_MALFORMED: { status: 400, title: 'The Authorization header is malformed' },
  INVALID_CURSOR: { status: 400, title: 'The pagination cursor is not valid' },
  INVITATION_INVALID: { status: 400, title: 'The invitation is unknown, expired, used or revoked' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  TOKEN_MALFORMED: { status: 401, title: 'The token is malformed' },
  TOKEN_INVALID: { status: 401, title: 'The token is not valid' },
  TOKEN_EXPIRED: { status: 401, title: 'The token has expired' },
  TOKEN_ROTATED: { status: 401, title: 'The token secret was replaced by a rotation' },
  TOKEN_REVOKED: { status: 401, title: 'The token has been revoked' },
  TOKEN_DISABLED: { status: 401, title: 'The token is disabled' },
  TOKEN_OWNER_INACTIVE: { status: 401, title: "The token's owner is no longer active" },
  INVALID_CREDENTIALS: { status: 401, title: 'The email or password is not correct' },
  INSUFFICIENT_SCOPE: { status: 403, title: 'The token lacks a required scope' },
  SCOPE_ESCALATION: { status: 403, title: 'You cannot grant rights you do not hold' },
  LIFETIME_EXCEEDED: { status: 403, title: 'The token would outlive what the project or the caller allows' },
  IP_NOT_ALLOWED: { status: 403, title: 'Requests from this address are not allowed' },
  CSRF_FAILED: { status: 403, title: 'The CSRF token is missing or wrong' },
  FORBIDDEN: { status: 403, title: 'This action is not allowed' },
  SETUP_LOCKED: { status: 403, title: 'Setup is locked after too many wrong codes' },
  NOT_FOUND: { status: 404, title: 'The resource does not exist' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  NOT_ACCEPTABLE: { status: 406, title: 'Not acceptable' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request did not arrive in time' },
  CONFLICT: { status: 409, title: 'The request conflicts with the current state' },
  TOKEN_NOT_ROTATABLE: { status: 409, title: 'A revoked or expired token cannot be rotated' },
  ALREADY_INITIALIZED: { status: 409, title: 'Keyward has already been set up' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The content type is not supported' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was already used for another request' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  INTERNAL: { status: 500, title: 'Internal error' },
  DATABASE_UNAVAILABLE: { status: 503, title: 'The database is unavailable' },
  SERVER_BUSY: { status: 503, title: 'The server is busy; retry shortly' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export const ERROR_TYPE_BASE = 'https://keyward.dev/errors/';

export function errorTypeUri(code: ErrorCode): string {
  return `${ERROR_TYPE_BASE}${code.toLowerCase().replaceAll('_', '-')}`;
}

/** A fault the edge turns into problem+json; `context` is stored in the error record (never secrets). */
export class KeywardError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly context: Record<string, unknown>;

  constructor(code: ErrorCode, detail?: string, context: Record<string, unknown> = {}) {
    super(detail ?? ERROR_CATALOG[code].title);
    this.name = 'KeywardError';
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.context = context;
  }
}

/** How a failed verification is answered at the HTTP edge. */
export const VERIFY_ERROR: Record<Exclude<VerifyCode, 'VALID'>, ErrorCode> = {
  MALFORMED: 'TOKEN_MALFORMED',
  NOT_FOUND: 'TOKEN_INVALID',
  EXPIRED: 'TOKEN_EXPIRED',
  ROTATED: 'TOKEN_ROTATED',
  REVOKED: 'TOKEN_REVOKED',
  DISABLED: 'TOKEN_DISABLED',
  OWNER_INACTIVE: 'TOKEN_OWNER_INACTIVE',
  INSUFFICIENT_SCOPE: 'INSUFFICIENT_SCOPE',
  RATE_LIMITED: 'RATE_LIMITED',
  IP_NOT_ALLOWED: 'IP_NOT_ALLOWED',
};
