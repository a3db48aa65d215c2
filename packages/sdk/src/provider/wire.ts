/** The codes `/v1/verify` answers with (and `verify()` answers with, the same). */
export type VerifyCode =
  | 'VALID'
  | 'MALFORMED'
  | 'NOT_FOUND'
  | 'EXPIRED'
  | 'ROTATED'
  | 'REVOKED'
  | 'DISABLED'
  | 'OWNER_INACTIVE'
  | 'INSUFFICIENT_SCOPE'
  | 'RATE_LIMITED'
  | 'IP_NOT_ALLOWED';

export type RateLimitState = {
  limit: number;
  remaining: number;
  reset_seconds: number;
  retry_after_seconds: number | null;
};

/** The answer of `verify()`: the fields and codes of Keyward's `POST /v1/verify`. */
export type VerifyResult = {
  valid: boolean;
  code: VerifyCode;
  token_id: string | null;
  owner: { type: string; id: string } | null;
  project_id: string | null;
  scopes: string[];
  expires_at: string | null;
  rate_limit: RateLimitState | null;
  missing_scopes?: string[];
  /** The token's metadata, on answers that name a working token (VALID, INSUFFICIENT_SCOPE, RATE_LIMITED). */
  metadata?: Record<string, unknown>;
};

/** One rate-limit window as the RateLimit header fields name it. */
export type RateLimitWindow = {
  name: string;
  limit: number;
  window_seconds: number;
  remaining: number;
  reset_seconds: number;
};

/** `POST /v1/sdk/verify`: the verify answer, the secret's end, and a lease of the token's limits. */
export type SdkVerifyAnswer = VerifyResult & {
  secret_expires_at: string | null;
  /** The token's IP allowlist (empty: any address); null when the answer names no working token. */
  allowed_ips: string[] | null;
  lease: {
    granted: number;
    unlimited: boolean;
    expires_in_ms: number;
    retry_after_seconds: number | null;
    windows: RateLimitWindow[];
  } | null;
};

/** A change on `GET /v1/sdk/changes`. */
export type WireChange =
  | { token_id: string }
  | { owner_id: string }
  | { project_id: string; owner_id?: string };
