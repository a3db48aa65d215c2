import type { VerifyCode } from './wire.ts';

/** The titles and statuses of the problems the middleware answers, as Keyward's catalog has them. */
export const PROBLEMS = {
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  AUTHORIZATION_MALFORMED: { status: 400, title: 'The Authorization header is malformed' },
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  TOKEN_MALFORMED: { status: 401, title: 'The token is malformed' },
  TOKEN_INVALID: { status: 401, title: 'The token is not valid' },
  TOKEN_EXPIRED: { status: 401, title: 'The token has expired' },
  TOKEN_ROTATED: { status: 401, title: 'The token secret was replaced by a rotation' },
  TOKEN_REVOKED: { status: 401, title: 'The token has been revoked' },
  TOKEN_DISABLED: { status: 401, title: 'The token is disabled' },
  TOKEN_OWNER_INACTIVE: { status: 401, title: "The token's owner is no longer active" },
  INSUFFICIENT_SCOPE: { status: 403, title: 'The token lacks a required scope' },
  IP_NOT_ALLOWED: { status: 403, title: 'Requests from this address are not allowed' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  NOT_FOUND: { status: 404, title: 'The resource does not exist' },
  INTERNAL: { status: 500, title: 'Internal error' },
  VERIFICATION_UNAVAILABLE: { status: 503, title: 'Token verification is unavailable; retry shortly' },
} as const;

export type ProblemCode = keyof typeof PROBLEMS;

export const VERIFY_PROBLEM: Record<Exclude<VerifyCode, 'VALID'>, ProblemCode> = {
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

export const errorTypeUri = (code: string): string =>
  `https://keyward.dev/errors/${code.toLowerCase().replaceAll('_', '-')}`;

/**
 * A problem the provider's API answers on purpose: `throw new ApiProblem(404, 'NOT_FOUND', '…')`.
 * The middleware gives it an error id, answers it as problem+json and records it in Keyward.
 */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  /** Stored with the error record (secret-looking keys dropped, at most 4 KB); never sent to the caller. */
  readonly context: Record<string, unknown>;
  constructor(
    status: number,
    code: string,
    detail?: string,
    options: { title?: string; context?: Record<string, unknown> } = {},
  ) {
    const known = (PROBLEMS as Record<string, { title: string } | undefined>)[code];
    super(detail ?? options.title ?? known?.title ?? code);
    this.name = 'ApiProblem';
    this.status = status;
    this.code = code;
    this.title = options.title ?? known?.title ?? code;
    this.context = options.context ?? {};
  }
}
