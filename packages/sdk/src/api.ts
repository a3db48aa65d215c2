import type { AuditRecord, TokenStatus } from '@keyward/core';
import type { KeywardClient } from './client.ts';

export type { TokenStatus };

/** Response shapes of Keyward's HTTP API (snake_case, as on the wire; a test holds them to the OpenAPI schemas). */
export type RateLimitPolicyView = { limit: number; window_seconds: number };

export type TokenView = {
  id: string;
  project_id: string;
  owner: { type: 'user' | 'service_account'; id: string };
  kind: string;
  name: string;
  description: string;
  role_id: string | null;
  role_name: string | null;
  scopes: string[];
  hint: string;
  status: TokenStatus;
  rate_limits: RateLimitPolicyView[];
  created_at: string;
  created_by: string | null;
  updated_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  revoked_reason: string | null;
  disabled_at: string | null;
  last_rotated_at: string | null;
  last_used_at: string | null;
  last_used_ips: string[];
  /** CIDRs the token may be used from; empty: any address. */
  allowed_ips: string[];
  /** A JSON object (at most 4 KB) every verify door returns. */
  metadata: Record<string, unknown>;
  /** Admitted requests and refused attempts, counted apart. */
  usage: { admitted: number; refused: number };
};

/** The only shape that carries a secret: the answer to create and rotate. */
export type TokenWithSecret = TokenView & { token: string };

/** A replayed `Idempotency-Key` call: the token as it is now, without its secret. */
export type TokenReplay = TokenView & { secret_already_delivered: true };

export type Me = {
  token_id: string | null;
  name: string;
  via: 'token' | 'session';
  owner: { type: string; id: string };
  project_id: string;
  scopes: string[];
  expires_at: string | null;
  /** Sent by servers that resolve the token's role; older ones omit it. */
  role?: { id: string; name: string } | null;
  rate_limits?: {
    token: RateLimitPolicyView[];
    owner: RateLimitPolicyView[];
    project: RateLimitPolicyView[];
    /** The window with the least headroom after this request; null when no limit applies. */
    effective: {
      policy: string;
      limit: number;
      window_seconds: number;
      remaining: number;
      reset_seconds: number;
    } | null;
  };
};

export type RoleView = {
  id: string;
  project_id: string;
  name: string;
  description: string;
  scopes: string[];
  builtin: boolean;
  created_at: string;
  updated_at: string;
};

export type ErrorRecord = {
  error_id: string;
  created_at: string;
  request_id: string;
  status: number;
  code: string;
  title: string;
  detail: string;
  method: string;
  path: string;
  token_id: string | null;
  project_id: string | null;
  context: Record<string, unknown>;
  /** Identical errors to the same caller within one window share the record: how many. */
  count: number;
  last_seen_at: string;
};

/** One audit event as exported: the MACed record (core's `AuditRecord`) and its `hash`. */
export type AuditEventView = AuditRecord & { hash: string };

/** A signed statement of the audit chain head; keep it outside Keyward (ADR 0008). */
export type AuditCheckpoint = {
  seq: number;
  head: string;
  issued_at: string;
  key_version: number;
  mac: string;
};

export type AuditVerification = {
  ok: boolean;
  events: number;
  broken_at_seq: number | null;
  reason: string | null;
  head: { seq: number; hash: string };
  checkpoints_checked: number;
};

export type Page<T> = { data: T[]; next_cursor: string | null };

export type TokenFields = {
  name?: string;
  description?: string;
  scopes?: string[];
  role_id?: string | null;
  expires_in_seconds?: number;
  expires_at?: string | null;
  rate_limits?: RateLimitPolicyView[];
  allowed_ips?: string[];
  metadata?: Record<string, unknown>;
};

export type CreateTokenBody = TokenFields & { name: string; service_account_id?: string };

export type TokenListQuery = {
  limit?: number;
  cursor?: string;
  status?: TokenStatus;
  owner_type?: 'user' | 'service_account';
  owner_id?: string;
  kind?: 'standard' | 'personal' | 'imported';
  role_id?: string;
  search?: string;
};

export type AuditListQuery = {
  limit?: number;
  cursor?: string;
  actor_id?: string;
  action?: string;
  target_id?: string;
  from?: string;
  to?: string;
};

export type ImportKey = { key: string; name: string; role_id: string };
/** `skipped`: keys this project had already imported (`index` is their position in the request). */
export type ImportResult = {
  imported: TokenView[];
  skipped: { index: number; token_id: string; hint: string }[];
};

const seg = encodeURIComponent;

/** Typed helpers over `client.request`, one per operation the CLI and scripts use. */
export function keywardApi(client: KeywardClient) {
  const { request } = client;
  return {
    me: () => request<Me>('GET', '/v1/me'),
    listTokens: (query: TokenListQuery = {}) => request<Page<TokenView>>('GET', '/v1/tokens', { query }),
    getToken: (id: string) => request<TokenView>('GET', `/v1/tokens/${seg(id)}`),
    createToken: (body: CreateTokenBody, idempotencyKey?: string) =>
      request<TokenWithSecret | TokenReplay>('POST', '/v1/tokens', {
        body,
        ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
      }),
    /** RFC 7009: revokes the token given, needing no other credential; 200 whether it existed or not. */
    revokeByValue: (token: string) =>
      request<Record<string, never>>('POST', '/v1/revoke', { body: { token } }),
    updateToken: (id: string, body: TokenFields) =>
      request<TokenView>('PATCH', `/v1/tokens/${seg(id)}`, { body }),
    revokeToken: (id: string, reason?: string) =>
      request<TokenView>('POST', `/v1/tokens/${seg(id)}/revoke`, { body: reason ? { reason } : {} }),
    rotateToken: (id: string, gracePeriodSeconds = 0) =>
      request<TokenWithSecret>('POST', `/v1/tokens/${seg(id)}/rotate`, {
        body: { grace_period_seconds: gracePeriodSeconds },
      }),
    importTokens: (keys: ImportKey[]) =>
      request<ImportResult>('POST', '/v1/tokens/import', { body: { keys } }),
    listRoles: () => request<{ data: RoleView[] }>('GET', '/v1/roles'),
    getError: (id: string) => request<ErrorRecord>('GET', `/v1/errors/${seg(id)}`),
    listAudit: (query: AuditListQuery = {}) => request<Page<AuditEventView>>('GET', '/v1/audit', { query }),
    verifyAudit: (checkpoint?: AuditCheckpoint) =>
      request<AuditVerification>('GET', '/v1/audit/verify', checkpoint ? { query: { ...checkpoint } } : {}),
    auditCheckpoint: () => request<AuditCheckpoint>('GET', '/v1/audit/checkpoint'),
  };
}

export type KeywardApi = ReturnType<typeof keywardApi>;
