// Generated from the OpenAPI document Keyward serves at /openapi.json; do not edit.
// Regenerate with `npm run generate:api`; a test fails when this file and the document differ.

export type AuditCheckpoint = {
  seq: number;
  head: string;
  issued_at: string;
  key_version: number;
  mac: string;
};
export type AuditEvent = {
  id: string;
  seq: number;
  occurred_at: string;
  actor: {
    type: string;
    id: string | null;
    via_token_id: string | null;
  };
  project_id: string | null;
  action: string;
  target: {
    type: string | null;
    id: string | null;
  };
  ip: string | null;
  user_agent: string | null;
  changes: Record<string, unknown> | null;
  /** Occurrences this event stands for (a coalesced flood) */
  count: number;
  key_version: number | null;
  /** HMAC-SHA-256 of the RFC 8785 form of this object without `hash` (ADR 0008) */
  hash: string;
  prev_hash: string;
};
export type AuditEventPage = {
  data: AuditEvent[];
  next_cursor: string | null;
};
export type AuditVerification = {
  ok: boolean;
  events: number;
  broken_at_seq: number | null;
  reason: string | null;
  head: {
    seq: number;
    hash: string;
  };
  checkpoints_checked: number;
};
export type ErrorRecord = {
  /** err_… */
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
  /** Identical errors to the same caller within one window share this record: how many */
  count: number;
  last_seen_at: string;
};
export type Introspection = {
  active: boolean;
  scope?: string;
  client_id?: string;
  sub?: string;
  exp?: number;
  iat?: number;
  token_type?: 'Bearer';
  owner_type?: string;
  project_id?: string;
  metadata?: Record<string, unknown>;
};
export type IntrospectionRequest = {
  token: string;
  token_type_hint?: string;
  /** The token holder's address, checked against the token's IP allowlist */
  client_ip?: string;
};
export type InvitationView = {
  /** inv_… */
  id: string;
  email: string;
  /** rol_… */
  role_id: string;
  role: string;
  created_by: string | null;
  created_at: string;
  expires_at: string;
};
export type Me = {
  token_id: string | null;
  hint: string | null;
  role: {
    id: string;
    name: string;
  } | null;
  name: string;
  via: 'token' | 'session';
  owner: {
    type: string;
    id: string;
  };
  /** prj_… */
  project_id: string;
  scopes: string[];
  expires_at: string | null;
  rate_limits: MeRateLimits;
};
export type MeRateLimits = {
  token: RateLimitPolicy[];
  owner: RateLimitPolicy[];
  project: RateLimitPolicy[];
  effective: {
    policy: string;
    limit: number;
    window_seconds: number;
    remaining: number;
    reset_seconds: number;
  } | null;
};
export type MemberView = {
  /** usr_… */
  user_id: string;
  email: string;
  name: string;
  active: boolean;
  /** rol_… */
  role_id: string;
  role: string;
  created_at: string;
};
/** RFC 9457 problem details */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  /** err_… */
  error_id: string;
  request_id: string;
  [extension: string]: unknown;
};
export type ProjectView = {
  /** prj_… */
  id: string;
  name: string;
  token_prefix: string;
  settings: {
    max_token_lifetime_seconds: number | null;
    default_token_lifetime_seconds: number | null;
    leak_action: 'revoke' | 'notify';
  };
  rate_limits: RateLimitPolicy[];
  created_at: string;
  updated_at: string;
};
export type RateLimitPolicy = {
  limit: number;
  window_seconds: number;
};
export type RateLimitState = {
  limit: number;
  remaining: number;
  reset_seconds: number;
  retry_after_seconds: number | null;
};
export type RoleView = {
  /** rol_… */
  id: string;
  /** prj_… */
  project_id: string;
  name: string;
  description: string;
  scopes: string[];
  builtin: boolean;
  created_at: string;
  updated_at: string;
};
export type ServiceAccountView = {
  /** sa_… */
  id: string;
  /** prj_… */
  project_id: string;
  name: string;
  description: string;
  /** rol_… */
  role_id: string;
  active: boolean;
  rate_limits: RateLimitPolicy[];
  created_by: string | null;
  created_at: string;
  updated_at: string;
};
export type Session = {
  user: {
    /** usr_… */
    id: string;
    email: string;
    name: string;
    instance_admin: boolean;
  };
  project_id: string;
  scopes: string[];
  projects: ProjectView[];
  csrf_token: string;
};
export type TokenPage = {
  data: TokenView[];
  next_cursor: string | null;
};
export type TokenReplay = TokenView & {
  /** The secret was in the answer to the first request with this Idempotency-Key */
  secret_already_delivered: true;
};
/** owner_inactive: the owner was deactivated or left the project; the token is refused */
export type TokenStatus = 'active' | 'expired' | 'revoked' | 'disabled' | 'owner_inactive';
export type TokenView = {
  /** tok_… */
  id: string;
  /** prj_… */
  project_id: string;
  owner: {
    type: 'user' | 'service_account';
    id: string;
  };
  kind: string;
  name: string;
  description: string;
  role_id: string | null;
  role_name: string | null;
  scopes: string[];
  /** Prefix and last four characters; never the secret */
  hint: string;
  status: TokenStatus;
  rate_limits: RateLimitPolicy[];
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
  /** CIDRs the token may be used from; empty: any */
  allowed_ips: string[];
  /** Returned by every verify door */
  metadata: Record<string, unknown>;
  /** Counted per attempt; last_used_at follows admitted requests only */
  usage: {
    /** Requests the token was admitted for */
    admitted: number;
    /** Attempts refused: expired, disabled, over a limit, lacking a scope… */
    refused: number;
  };
};
export type TokenWithSecret = TokenView & {
  /** The secret. Shown once; store it now. */
  token: string;
};
export type TokenWithSecretOrReplay = TokenWithSecret | TokenReplay;
export type Verification = {
  valid: boolean;
  code:
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
  token_id: string | null;
  owner: {
    type: string;
    id: string;
  } | null;
  project_id: string | null;
  scopes: string[];
  expires_at: string | null;
  rate_limit: RateLimitState | null;
  missing_scopes?: string[];
  metadata?: Record<string, unknown>;
};

export type GetHealthResponse = {
  status: 'ok';
};
export type GetReadinessResponse = {
  status: 'ready';
  database: string;
};
export type GetApiKeyResponse = {
  key: TokenView | null;
};
export type ListTokensQuery = {
  limit?: number;
  cursor?: string;
  /** owner_inactive: the owner was deactivated or left the project; the token is refused */
  status?: 'active' | 'expired' | 'revoked' | 'disabled' | 'owner_inactive';
  owner_type?: 'user' | 'service_account';
  owner_id?: string;
  kind?: 'standard' | 'personal' | 'imported';
  /** rol_… */
  role_id?: string;
  search?: string;
  /** Only tokens that expire before this time (with status=active: expiring soon) */
  expires_before?: string;
};
export type CreateTokenBody = {
  name: string;
  description?: string;
  scopes?: string[];
  role_id?: string | null;
  expires_in_seconds?: number;
  expires_at?: string | null;
  rate_limits?: RateLimitPolicy[];
  /** IPv4/IPv6 addresses or CIDRs the token may be used from; empty: any address */
  allowed_ips?: string[];
  /** A JSON object of at most 4 KB, returned by every verify door */
  metadata?: Record<string, unknown>;
  /** sa_… */
  service_account_id?: string;
};
export type UpdateTokenBody = {
  name?: string;
  description?: string;
  scopes?: string[];
  role_id?: string | null;
  expires_in_seconds?: number;
  expires_at?: string | null;
  rate_limits?: RateLimitPolicy[];
  /** IPv4/IPv6 addresses or CIDRs the token may be used from; empty: any address */
  allowed_ips?: string[];
  /** A JSON object of at most 4 KB, returned by every verify door */
  metadata?: Record<string, unknown>;
};
export type GetTokenUsageQuery = {
  from?: string;
  to?: string;
  granularity?: 'hour' | 'day';
};
export type GetTokenUsageResponse = {
  /** tok_… */
  token_id: string;
  granularity: 'hour' | 'day';
  from: string;
  to: string;
  series: {
    outcome: string;
    total: number;
    points: {
      start: string;
      count: number;
    }[];
  }[];
};
export type RevokeTokenBody = {
  reason?: string;
};
export type RotateTokenBody = {
  grace_period_seconds?: number;
};
export type ImportTokensBody = {
  keys: {
    key: string;
    name: string;
    /** rol_… */
    role_id: string;
  }[];
};
export type ImportTokensResponse = {
  imported: TokenView[];
  skipped: {
    /** Position of the key in the request */
    index: number;
    token_id: string;
    hint: string;
  }[];
  replayed?: true;
};
export type BulkRevokeTokensBody = {
  /** Omit to revoke every token of the project */
  owner_id?: string;
  reason?: string;
  /** List what would be revoked, change nothing */
  dry_run?: boolean;
};
export type BulkRevokeTokensResponse = {
  dry_run: boolean;
  revoked: string[];
  count: number;
};
export type GenerateTokenBody = {
  description?: string;
  created_by?: string;
  scopes?: string[];
};
export type GenerateTokenResponse = {
  /** The secret. Shown once. */
  token: string;
  /** tok_… */
  id: string;
  hint: string;
  scopes: string[];
  expires_at: string | null;
};
export type ListAuditQuery = {
  limit?: number;
  cursor?: string;
  actor_id?: string;
  action?: string;
  target_id?: string;
  from?: string;
  to?: string;
  format?: 'json' | 'jsonl';
  /** instance: events of no project (sign-ins, setup); needs keyward:admin */
  scope?: 'project' | 'instance';
};
export type VerifyAuditQuery = {
  seq?: number;
  head?: string;
  issued_at?: string;
  key_version?: number;
  mac?: string;
};
export type ListProjectsQuery = {
  limit?: number;
  cursor?: string;
};
export type ListProjectsResponse = {
  data: ProjectView[];
  next_cursor: string | null;
};
export type CreateProjectBody = {
  name: string;
  token_prefix?: string;
  settings?: {
    max_token_lifetime_seconds?: number | null;
    default_token_lifetime_seconds?: number | null;
    /** What a confirmed secret-scanning report does: revoke the token, or notify only */
    leak_action?: 'revoke' | 'notify';
  };
};
export type UpdateProjectBody = {
  name?: string;
  settings?: {
    max_token_lifetime_seconds?: number | null;
    default_token_lifetime_seconds?: number | null;
    /** What a confirmed secret-scanning report does: revoke the token, or notify only */
    leak_action?: 'revoke' | 'notify';
  };
  rate_limits?: RateLimitPolicy[];
};
export type GetProjectUsageQuery = {
  from?: string;
  to?: string;
  granularity?: 'hour' | 'day';
};
export type GetProjectUsageResponse = {
  /** prj_… */
  project_id: string;
  granularity: 'hour' | 'day';
  from: string;
  to: string;
  series: {
    outcome: string;
    total: number;
    points: {
      start: string;
      count: number;
    }[];
  }[];
  busiest_tokens: {
    /** tok_… */
    token_id: string;
    name: string;
    kind: string;
    total: number;
    admitted: number;
    refused: number;
  }[];
};
export type ListRolesResponse = {
  data: RoleView[];
};
export type CreateRoleBody = {
  name: string;
  description?: string;
  scopes: string[];
};
export type UpdateRoleBody = {
  description?: string;
  scopes?: string[];
};
export type ListMembersResponse = {
  data: MemberView[];
};
export type AddMemberBody = {
  email: string;
  /** rol_… */
  role_id: string;
  name?: string;
  password?: string;
};
export type UpdateMemberBody = {
  /** rol_… */
  role_id: string;
};
export type ListInvitationsResponse = {
  data: InvitationView[];
};
export type CreateInvitationBody = {
  email: string;
  /** rol_… */
  role_id: string;
  /** Seconds until the code expires (default 7 days) */
  expires_in_seconds?: number;
};
export type CreateInvitationResponse = InvitationView & {
  /** kwinv_… */
  code: string;
};
export type LookupInvitationBody = {
  /** kwinv_… */
  code: string;
};
export type LookupInvitationResponse = {
  email: string;
  project: {
    /** prj_… */
    id: string;
    name: string;
  };
  role: string;
  expires_at: string;
};
export type RedeemInvitationBody = {
  /** kwinv_… */
  code: string;
  /** 'new': choose a password (12 or more characters); 'existing': the account's password */
  account: 'new' | 'existing';
  password: string;
  name?: string;
};
export type RedeemInvitationResponse = {
  user: {
    /** usr_… */
    id: string;
    email: string;
  };
  /** prj_… */
  project_id: string;
};
export type ListServiceAccountsResponse = {
  data: ServiceAccountView[];
};
export type CreateServiceAccountBody = {
  name: string;
  description?: string;
  /** rol_… */
  role_id: string;
  rate_limits?: RateLimitPolicy[];
};
export type UpdateServiceAccountBody = {
  name?: string;
  description?: string;
  /** rol_… */
  role_id?: string;
  active?: boolean;
  rate_limits?: RateLimitPolicy[];
};
export type UpdateUserBody = {
  name?: string;
  active?: boolean;
  rate_limits?: RateLimitPolicy[];
};
export type UpdateUserResponse = {
  /** usr_… */
  id: string;
  email: string;
  name: string;
  active: boolean;
  rate_limits: RateLimitPolicy[];
  updated_at: string;
};
export type LoginBody = {
  email: string;
  password: string;
};
export type LoginResponse = {
  user: {
    /** usr_… */
    id: string;
    email: string;
    name: string;
  };
  csrf_token: string;
  expires_at: string;
};
export type GetSetupStateResponse = {
  required: boolean;
};
export type CompleteSetupBody = {
  setup_code: string;
  email: string;
  password: string;
  name?: string;
};
export type CompleteSetupResponse = {
  /** usr_… */
  user_id: string;
  /** prj_… */
  project_id: string;
  csrf_token: string;
};
export type VerifyTokenBody = {
  token: string;
  required_scopes?: string[];
  /** The token holder's address, checked against the token's IP allowlist */
  client_ip?: string;
};
export type SdkVerifyAndLeaseBody = {
  token: string;
  required_scopes?: string[];
  /** Units of the limits to lease */
  units: number;
};
export type SdkVerifyAndLeaseResponse = Verification & {
  secret_expires_at: string | null;
  allowed_ips: string[] | null;
  lease: {
    granted: number;
    unlimited: boolean;
    expires_in_ms: number;
    retry_after_seconds: number | null;
    windows: {
      name: string;
      limit: number;
      window_seconds: number;
      remaining: number;
      reset_seconds: number;
    }[];
  } | null;
};
export type SdkReportUsageBody = {
  entries: {
    /** tok_… */
    token_id: string;
    outcomes: {
      VALID?: number;
      MALFORMED?: number;
      NOT_FOUND?: number;
      EXPIRED?: number;
      ROTATED?: number;
      REVOKED?: number;
      DISABLED?: number;
      OWNER_INACTIVE?: number;
      INSUFFICIENT_SCOPE?: number;
      RATE_LIMITED?: number;
      IP_NOT_ALLOWED?: number;
    };
    last_used_at: string | null;
    ips: string[];
  }[];
};
export type SdkReportUsageResponse = {
  accepted: number;
  skipped: number;
};
export type SdkReportErrorsBody = {
  errors: {
    /** err_… */
    error_id: string;
    occurred_at: string;
    token_id: string | null;
    request_id: string;
    status: number;
    code: string;
    title: string;
    detail: string;
    method: string;
    path: string;
    context: Record<string, unknown>;
  }[];
};
export type SdkReportErrorsResponse = {
  accepted: number;
  duplicates: number;
  rejected: number;
};
export type ListWebhooksResponse = {
  data: {
    /** whe_… */
    id: string;
    project_id: string;
    url: string;
    description: string;
    events: string[];
    enabled: boolean;
    disabled_at: string | null;
    disabled_reason: string | null;
    created_by: string | null;
    created_at: string;
    updated_at: string;
  }[];
};
export type CreateWebhookBody = {
  url: string;
  events: (
    | 'token.created'
    | 'token.updated'
    | 'token.rotated'
    | 'token.revoked'
    | 'token.disabled'
    | 'token.enabled'
    | 'token.expiring'
    | 'token.expired'
    | 'token.idle_warning'
    | 'token.auto_revoked'
    | 'token.leaked'
    | 'member.invited'
    | 'member.joined'
    | 'member.removed'
    | 'member.role_changed'
    | 'webhook.test'
    | '*'
  )[];
  description?: string;
};
export type CreateWebhookResponse = {
  /** whe_… */
  id: string;
  project_id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabled_at: string | null;
  disabled_reason: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
} & {
  /** Standard Webhooks signing secret (whsec_…); shown only in this answer */
  secret: string;
};
export type GetWebhookResponse = {
  /** whe_… */
  id: string;
  project_id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabled_at: string | null;
  disabled_reason: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
};
export type UpdateWebhookBody = {
  url?: string;
  events?: (
    | 'token.created'
    | 'token.updated'
    | 'token.rotated'
    | 'token.revoked'
    | 'token.disabled'
    | 'token.enabled'
    | 'token.expiring'
    | 'token.expired'
    | 'token.idle_warning'
    | 'token.auto_revoked'
    | 'token.leaked'
    | 'member.invited'
    | 'member.joined'
    | 'member.removed'
    | 'member.role_changed'
    | 'webhook.test'
    | '*'
  )[];
  description?: string;
  /** true re-enables an endpoint disabled after failures */
  enabled?: boolean;
};
export type UpdateWebhookResponse = {
  /** whe_… */
  id: string;
  project_id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabled_at: string | null;
  disabled_reason: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
};
export type RotateWebhookSecretResponse = {
  /** whe_… */
  id: string;
  project_id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabled_at: string | null;
  disabled_reason: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
} & {
  /** Standard Webhooks signing secret (whsec_…); shown only in this answer */
  secret: string;
};
export type TestWebhookResponse = {
  message_id: string;
};
export type ListWebhookDeliveriesQuery = {
  status?: 'pending' | 'delivered' | 'failed';
  limit?: number;
};
export type ListWebhookDeliveriesResponse = {
  data: {
    /** whd_… */
    id: string;
    /** The endpoint */
    webhook_id: string;
    /** The webhook-id header: the same on every attempt and redelivery */
    message_id: string;
    event_type: string;
    status: 'pending' | 'delivered' | 'failed';
    attempts: number;
    next_attempt_at: string | null;
    last_status_code: number | null;
    last_error: string | null;
    last_latency_ms: number | null;
    last_attempt_at: string | null;
    delivered_at: string | null;
    created_at: string;
  }[];
};
export type GetWebhookDeliveryResponse = {
  /** whd_… */
  id: string;
  /** The endpoint */
  webhook_id: string;
  /** The webhook-id header: the same on every attempt and redelivery */
  message_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  last_latency_ms: number | null;
  last_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
} & {
  /** The signed body, as sent */
  payload: unknown;
  attempt_log: {
    attempt: number;
    attempted_at: string;
    status_code: number | null;
    error: string | null;
    latency_ms: number;
  }[];
};
export type RedeliverWebhookResponse = {
  /** whd_… */
  id: string;
  /** The endpoint */
  webhook_id: string;
  /** The webhook-id header: the same on every attempt and redelivery */
  message_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  last_latency_ms: number | null;
  last_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
};
export type GetReminderSettingsResponse = {
  /** Days before expiry at which a reminder is sent */
  expiry_reminder_days: number[];
  idle_revoke_days: number | null;
  idle_reminder_days: number;
};
export type UpdateReminderSettingsBody = {
  expiry_reminder_days?: number[];
  idle_revoke_days?: number | null;
  idle_reminder_days?: number;
};
export type UpdateReminderSettingsResponse = {
  /** Days before expiry at which a reminder is sent */
  expiry_reminder_days: number[];
  idle_revoke_days: number | null;
  idle_reminder_days: number;
};
export type ListRemindersResponse = {
  data: {
    kind: 'expiring' | 'idle';
    token_id: string;
    name: string;
    hint: string;
    owner_type: string;
    owner_id: string;
    at: string;
    days_left: number;
  }[];
};
export type ListMyRemindersResponse = {
  data: {
    kind: 'expiring' | 'idle';
    token_id: string;
    name: string;
    hint: string;
    owner_type: string;
    owner_id: string;
    at: string;
    days_left: number;
  }[];
};
export type RevokeTokenByValueBody = {
  token: string;
  token_type_hint?: string;
};
export type RevokeTokenByValueResponse = Record<string, unknown>;
export type ReportLeakedTokensResponse = {
  token_raw: string;
  token_type: string;
  label: string;
}[];

/** Every operation: its method, path template, path parameters and where its input goes. */
export const OPERATIONS = {
  getOpenApiDocument: { method: 'GET', path: '/openapi.json', params: [], input: 'none' },
  getMetrics: { method: 'GET', path: '/metrics', params: [], input: 'none' },
  getHealth: { method: 'GET', path: '/healthz', params: [], input: 'none' },
  getReadiness: { method: 'GET', path: '/readyz', params: [], input: 'none' },
  getMe: { method: 'GET', path: '/v1/me', params: [], input: 'none' },
  getApiKey: { method: 'GET', path: '/v1/me/api-key', params: [], input: 'none' },
  regenerateApiKey: { method: 'POST', path: '/v1/me/api-key', params: [], input: 'none' },
  listTokens: { method: 'GET', path: '/v1/tokens', params: [], input: 'query' },
  createToken: { method: 'POST', path: '/v1/tokens', params: [], input: 'body' },
  getToken: { method: 'GET', path: '/v1/tokens/{token_id}', params: ['token_id'], input: 'none' },
  updateToken: { method: 'PATCH', path: '/v1/tokens/{token_id}', params: ['token_id'], input: 'body' },
  getTokenUsage: { method: 'GET', path: '/v1/tokens/{token_id}/usage', params: ['token_id'], input: 'query' },
  revokeToken: { method: 'POST', path: '/v1/tokens/{token_id}/revoke', params: ['token_id'], input: 'body' },
  rotateToken: { method: 'POST', path: '/v1/tokens/{token_id}/rotate', params: ['token_id'], input: 'body' },
  disableToken: {
    method: 'POST',
    path: '/v1/tokens/{token_id}/disable',
    params: ['token_id'],
    input: 'none',
  },
  enableToken: { method: 'POST', path: '/v1/tokens/{token_id}/enable', params: ['token_id'], input: 'none' },
  importTokens: { method: 'POST', path: '/v1/tokens/import', params: [], input: 'body' },
  bulkRevokeTokens: { method: 'POST', path: '/v1/tokens/bulk-revoke', params: [], input: 'body' },
  generateToken: { method: 'POST', path: '/admin/generate-token', params: [], input: 'body' },
  getError: { method: 'GET', path: '/v1/errors/{error_id}', params: ['error_id'], input: 'none' },
  getErrorAdminAlias: {
    method: 'GET',
    path: '/admin/errors/{error_id}',
    params: ['error_id'],
    input: 'none',
  },
  listAudit: { method: 'GET', path: '/v1/audit', params: [], input: 'query' },
  verifyAudit: { method: 'GET', path: '/v1/audit/verify', params: [], input: 'query' },
  createAuditCheckpoint: { method: 'GET', path: '/v1/audit/checkpoint', params: [], input: 'none' },
  listProjects: { method: 'GET', path: '/v1/projects', params: [], input: 'query' },
  createProject: { method: 'POST', path: '/v1/projects', params: [], input: 'body' },
  getProject: { method: 'GET', path: '/v1/projects/{project_id}', params: ['project_id'], input: 'none' },
  updateProject: {
    method: 'PATCH',
    path: '/v1/projects/{project_id}',
    params: ['project_id'],
    input: 'body',
  },
  getProjectUsage: {
    method: 'GET',
    path: '/v1/projects/{project_id}/usage',
    params: ['project_id'],
    input: 'query',
  },
  listRoles: { method: 'GET', path: '/v1/roles', params: [], input: 'none' },
  createRole: { method: 'POST', path: '/v1/roles', params: [], input: 'body' },
  deleteRole: { method: 'DELETE', path: '/v1/roles/{role_id}', params: ['role_id'], input: 'none' },
  updateRole: { method: 'PATCH', path: '/v1/roles/{role_id}', params: ['role_id'], input: 'body' },
  listMembers: { method: 'GET', path: '/v1/members', params: [], input: 'none' },
  addMember: { method: 'POST', path: '/v1/members', params: [], input: 'body' },
  removeMember: { method: 'DELETE', path: '/v1/members/{user_id}', params: ['user_id'], input: 'none' },
  updateMember: { method: 'PATCH', path: '/v1/members/{user_id}', params: ['user_id'], input: 'body' },
  listInvitations: { method: 'GET', path: '/v1/invitations', params: [], input: 'none' },
  createInvitation: { method: 'POST', path: '/v1/invitations', params: [], input: 'body' },
  revokeInvitation: {
    method: 'DELETE',
    path: '/v1/invitations/{invitation_id}',
    params: ['invitation_id'],
    input: 'none',
  },
  lookupInvitation: { method: 'POST', path: '/v1/invitations/lookup', params: [], input: 'body' },
  redeemInvitation: { method: 'POST', path: '/v1/invitations/redeem', params: [], input: 'body' },
  listServiceAccounts: { method: 'GET', path: '/v1/service-accounts', params: [], input: 'none' },
  createServiceAccount: { method: 'POST', path: '/v1/service-accounts', params: [], input: 'body' },
  getServiceAccount: {
    method: 'GET',
    path: '/v1/service-accounts/{service_account_id}',
    params: ['service_account_id'],
    input: 'none',
  },
  updateServiceAccount: {
    method: 'PATCH',
    path: '/v1/service-accounts/{service_account_id}',
    params: ['service_account_id'],
    input: 'body',
  },
  updateUser: { method: 'PATCH', path: '/v1/users/{user_id}', params: ['user_id'], input: 'body' },
  login: { method: 'POST', path: '/v1/auth/login', params: [], input: 'body' },
  logout: { method: 'POST', path: '/v1/auth/logout', params: [], input: 'none' },
  getSession: { method: 'GET', path: '/v1/auth/session', params: [], input: 'none' },
  getSetupState: { method: 'GET', path: '/v1/setup', params: [], input: 'none' },
  completeSetup: { method: 'POST', path: '/v1/setup', params: [], input: 'body' },
  authorizeGet: { method: 'GET', path: '/v1/authorize', params: [], input: 'none' },
  authorizePut: { method: 'PUT', path: '/v1/authorize', params: [], input: 'none' },
  authorizePost: { method: 'POST', path: '/v1/authorize', params: [], input: 'none' },
  authorizeDelete: { method: 'DELETE', path: '/v1/authorize', params: [], input: 'none' },
  authorizeOptions: { method: 'OPTIONS', path: '/v1/authorize', params: [], input: 'none' },
  authorizeHead: { method: 'HEAD', path: '/v1/authorize', params: [], input: 'none' },
  authorizePatch: { method: 'PATCH', path: '/v1/authorize', params: [], input: 'none' },
  verifyToken: { method: 'POST', path: '/v1/verify', params: [], input: 'body' },
  sdkVerifyAndLease: { method: 'POST', path: '/v1/sdk/verify', params: [], input: 'body' },
  streamTokenChanges: { method: 'GET', path: '/v1/sdk/changes', params: [], input: 'none' },
  sdkReportUsage: { method: 'POST', path: '/v1/sdk/usage', params: [], input: 'body' },
  sdkReportErrors: { method: 'POST', path: '/v1/sdk/errors', params: [], input: 'body' },
  listWebhooks: { method: 'GET', path: '/v1/webhooks', params: [], input: 'none' },
  createWebhook: { method: 'POST', path: '/v1/webhooks', params: [], input: 'body' },
  getWebhook: { method: 'GET', path: '/v1/webhooks/{webhook_id}', params: ['webhook_id'], input: 'none' },
  deleteWebhook: {
    method: 'DELETE',
    path: '/v1/webhooks/{webhook_id}',
    params: ['webhook_id'],
    input: 'none',
  },
  updateWebhook: {
    method: 'PATCH',
    path: '/v1/webhooks/{webhook_id}',
    params: ['webhook_id'],
    input: 'body',
  },
  rotateWebhookSecret: {
    method: 'POST',
    path: '/v1/webhooks/{webhook_id}/rotate-secret',
    params: ['webhook_id'],
    input: 'none',
  },
  testWebhook: {
    method: 'POST',
    path: '/v1/webhooks/{webhook_id}/test',
    params: ['webhook_id'],
    input: 'none',
  },
  listWebhookDeliveries: {
    method: 'GET',
    path: '/v1/webhooks/{webhook_id}/deliveries',
    params: ['webhook_id'],
    input: 'query',
  },
  getWebhookDelivery: {
    method: 'GET',
    path: '/v1/webhook-deliveries/{delivery_id}',
    params: ['delivery_id'],
    input: 'none',
  },
  redeliverWebhook: {
    method: 'POST',
    path: '/v1/webhook-deliveries/{delivery_id}/redeliver',
    params: ['delivery_id'],
    input: 'none',
  },
  getReminderSettings: { method: 'GET', path: '/v1/reminders/settings', params: [], input: 'none' },
  updateReminderSettings: { method: 'PATCH', path: '/v1/reminders/settings', params: [], input: 'body' },
  listReminders: { method: 'GET', path: '/v1/reminders', params: [], input: 'none' },
  listMyReminders: { method: 'GET', path: '/v1/me/reminders', params: [], input: 'none' },
  introspectToken: { method: 'POST', path: '/v1/introspect', params: [], input: 'body' },
  revokeTokenByValue: { method: 'POST', path: '/v1/revoke', params: [], input: 'body' },
  reportLeakedTokens: { method: 'POST', path: '/v1/secret-scanning/github', params: [], input: 'none' },
} as const;

/** Every operation: the arguments of its SDK method (path parameters, then body or query) and its answer. */
export type Operations = {
  /** This OpenAPI 3.1 document */
  getOpenApiDocument: { args: []; response: unknown };
  /** Prometheus metrics (bearer KEYWARD_METRICS_TOKEN, or loopback only without one) */
  getMetrics: { args: []; response: unknown };
  /** Liveness: the process is up */
  getHealth: { args: []; response: GetHealthResponse };
  /** Readiness: the database answers (503 within the readiness timeout otherwise) */
  getReadiness: { args: []; response: GetReadinessResponse };
  /** The authenticated principal and its rate limits */
  getMe: { args: []; response: Me };
  /** Your personal API key (masked: only its hint, never the secret) */
  getApiKey: { args: []; response: GetApiKeyResponse };
  /** Generate or regenerate your personal API key; the previous one stops working at once */
  regenerateApiKey: { args: []; response: TokenWithSecretOrReplay };
  /** List the project's tokens, newest first, with filters and cursor paging */
  listTokens: { args: [query?: ListTokensQuery]; response: TokenPage };
  /** Create a token in the caller's project; the secret is in this response only */
  createToken: { args: [body: CreateTokenBody]; response: TokenWithSecretOrReplay };
  /** Show one token (never its secret) */
  getToken: { args: [token_id: string]; response: TokenView };
  /** Change name, description, scopes or role (never beyond your rights), expiry or rate limits */
  updateToken: { args: [token_id: string, body?: UpdateTokenBody]; response: TokenView };
  /** Usage series of a token by outcome (flushed every few seconds) */
  getTokenUsage: { args: [token_id: string, query?: GetTokenUsageQuery]; response: GetTokenUsageResponse };
  /** Revoke a token: the very next request with it is refused */
  revokeToken: { args: [token_id: string, body?: RevokeTokenBody]; response: TokenView };
  /** New secret for the same token id, settings and history */
  rotateToken: { args: [token_id: string, body?: RotateTokenBody]; response: TokenWithSecretOrReplay };
  /** Disable a token (reversible) */
  disableToken: { args: [token_id: string]; response: TokenView };
  /** Enable a disabled token */
  enableToken: { args: [token_id: string]; response: TokenView };
  /** Import existing plaintext keys (e.g. from env files); only their hashes are stored */
  importTokens: { args: [body: ImportTokensBody]; response: ImportTokensResponse };
  /** Revoke every live token of an owner, or of the whole project (incident response); dry run first */
  bulkRevokeTokens: { args: [body?: BulkRevokeTokensBody]; response: BulkRevokeTokensResponse };
  /** Onboarding alias: generate a token (shown once) */
  generateToken: { args: [body?: GenerateTokenBody]; response: GenerateTokenResponse };
  /** Look up an error by its id */
  getError: { args: [error_id: string]; response: ErrorRecord };
  /** Onboarding alias of GET /v1/errors/{error_id} */
  getErrorAdminAlias: { args: [error_id: string]; response: ErrorRecord };
  /** The project's audit log, newest first; `format=jsonl` exports JSON lines */
  listAudit: { args: [query?: ListAuditQuery]; response: AuditEventPage | string };
  /** Recompute the audit chain's MACs and links; also fails when the chain no longer reaches a checkpoint (this node's latest, and one given in the query) */
  verifyAudit: { args: [query?: VerifyAuditQuery]; response: AuditVerification };
  /** Sign a checkpoint of the audit chain head (also logged); keep it outside Keyward and pass it to /v1/audit/verify later */
  createAuditCheckpoint: { args: []; response: AuditCheckpoint };
  /** Projects you can see: your own (a user: every membership); instance administrators: all */
  listProjects: { args: [query?: ListProjectsQuery]; response: ListProjectsResponse };
  /** Create a project (tenant) with the default roles; a user caller becomes its owner */
  createProject: { args: [body: CreateProjectBody]; response: ProjectView };
  /** Show a project */
  getProject: { args: [project_id: string]; response: ProjectView };
  /** Change your project's name, token lifetime policy or default rate limits */
  updateProject: { args: [project_id: string, body?: UpdateProjectBody]; response: ProjectView };
  /** Usage series of a project's tokens by outcome, and the busiest tokens */
  getProjectUsage: {
    args: [project_id: string, query?: GetProjectUsageQuery];
    response: GetProjectUsageResponse;
  };
  /** The project's roles: named bundles of scopes */
  listRoles: { args: []; response: ListRolesResponse };
  /** Define a role (e.g. client, miner, admin) from scopes you hold */
  createRole: { args: [body: CreateRoleBody]; response: RoleView };
  /** Delete a role nobody holds; built-in roles stay */
  deleteRole: { args: [role_id: string]; response: null };
  /** Change a role's scopes; every token and member holding it follows on the next request */
  updateRole: { args: [role_id: string, body?: UpdateRoleBody]; response: RoleView };
  /** The project's members and their roles */
  listMembers: { args: []; response: ListMembersResponse };
  /** Instance administrators: add a user to the project with a role (the user is created if new) */
  addMember: { args: [body: AddMemberBody]; response: MemberView };
  /** Remove a member; their tokens in this project are revoked at once (re-adding them revives none) */
  removeMember: { args: [user_id: string]; response: null };
  /** Change a member's role; their tokens follow on the next request */
  updateMember: { args: [user_id: string, body: UpdateMemberBody]; response: MemberView };
  /** The project's pending invitations (not redeemed, revoked or expired), newest first */
  listInvitations: { args: []; response: ListInvitationsResponse };
  /** Invite someone to the project with a role; returns a one-time code, shown only here */
  createInvitation: { args: [body: CreateInvitationBody]; response: CreateInvitationResponse };
  /** Revoke a pending invitation: its code no longer works */
  revokeInvitation: { args: [invitation_id: string]; response: null };
  /** What an invitation code is for (email, project, role); says nothing about accounts */
  lookupInvitation: { args: [body: LookupInvitationBody]; response: LookupInvitationResponse };
  /** Join the project an invitation is for; the code works once */
  redeemInvitation: { args: [body: RedeemInvitationBody]; response: RedeemInvitationResponse };
  /** The project's service accounts */
  listServiceAccounts: { args: []; response: ListServiceAccountsResponse };
  /** Create a service account for an integration; it outlives the person who made it */
  createServiceAccount: { args: [body: CreateServiceAccountBody]; response: ServiceAccountView };
  /** Show a service account */
  getServiceAccount: { args: [service_account_id: string]; response: ServiceAccountView };
  /** Rename, change the role of, deactivate or reactivate a service account */
  updateServiceAccount: {
    args: [service_account_id: string, body?: UpdateServiceAccountBody];
    response: ServiceAccountView;
  };
  /** Rename, deactivate or reactivate a user, or set the rate limits all their tokens share; takes effect at once */
  updateUser: { args: [user_id: string, body?: UpdateUserBody]; response: UpdateUserResponse };
  /** Sign in to the console; sets an HttpOnly session cookie and returns the CSRF token */
  login: { args: [body: LoginBody]; response: LoginResponse };
  /** End the console session */
  logout: { args: []; response: null };
  /** The signed-in console user, their projects, rights in the current project and CSRF token */
  getSession: { args: []; response: Session };
  /** Whether this instance still needs its first administrator */
  getSetupState: { args: []; response: GetSetupStateResponse };
  /** First-run setup: create the first administrator with the code the server printed at start */
  completeSetup: { args: [body: CompleteSetupBody]; response: CompleteSetupResponse };
  /** Forward auth for gateways: 200 with X-Keyward-* identity headers, or 401/403/429 */
  authorizeGet: { args: []; response: unknown };
  /** Forward auth for gateways: 200 with X-Keyward-* identity headers, or 401/403/429 */
  authorizePut: { args: []; response: unknown };
  /** Forward auth for gateways: 200 with X-Keyward-* identity headers, or 401/403/429 */
  authorizePost: { args: []; response: unknown };
  /** Forward auth for gateways: 200 with X-Keyward-* identity headers, or 401/403/429 */
  authorizeDelete: { args: []; response: unknown };
  /** Forward auth for gateways: 200 with X-Keyward-* identity headers, or 401/403/429 */
  authorizeOptions: { args: []; response: unknown };
  /** Forward auth for gateways: 200 with X-Keyward-* identity headers, or 401/403/429 */
  authorizeHead: { args: []; response: unknown };
  /** Forward auth for gateways: 200 with X-Keyward-* identity headers, or 401/403/429 */
  authorizePatch: { args: []; response: unknown };
  /** Verify a caller's token: the same decision as every door, answered as data */
  verifyToken: { args: [body: VerifyTokenBody]; response: Verification };
  /** Verify a caller's token for an SDK cache and lease units of its rate limits */
  sdkVerifyAndLease: { args: [body: SdkVerifyAndLeaseBody]; response: SdkVerifyAndLeaseResponse };
  /** Server-sent events: every change to the caller's project's tokens, as it happens */
  streamTokenChanges: { args: []; response: unknown };
  /** Report usage of tokens verified in-process by the SDK, in one batch */
  sdkReportUsage: { args: [body: SdkReportUsageBody]; response: SdkReportUsageResponse };
  /** Record errors a provider's API answered, in one batch */
  sdkReportErrors: { args: [body: SdkReportErrorsBody]; response: SdkReportErrorsResponse };
  /** The project's webhook endpoints (never their secrets) */
  listWebhooks: { args: []; response: ListWebhooksResponse };
  /** Add a webhook endpoint; the answer holds its signing secret, shown only here */
  createWebhook: { args: [body: CreateWebhookBody]; response: CreateWebhookResponse };
  /** One webhook endpoint; a disabled one says why */
  getWebhook: { args: [webhook_id: string]; response: GetWebhookResponse };
  /** Delete an endpoint and its delivery log */
  deleteWebhook: { args: [webhook_id: string]; response: null };
  /** Change an endpoint, or enable / disable it */
  updateWebhook: { args: [webhook_id: string, body?: UpdateWebhookBody]; response: UpdateWebhookResponse };
  /** Replace the signing secret; the new one is shown only here */
  rotateWebhookSecret: { args: [webhook_id: string]; response: RotateWebhookSecretResponse };
  /** Queue a webhook.test message to this endpoint */
  testWebhook: { args: [webhook_id: string]; response: TestWebhookResponse };
  /** An endpoint's delivery log, newest first: status, attempts, latency */
  listWebhookDeliveries: {
    args: [webhook_id: string, query?: ListWebhookDeliveriesQuery];
    response: ListWebhookDeliveriesResponse;
  };
  /** One delivery with its payload and every attempt */
  getWebhookDelivery: { args: [delivery_id: string]; response: GetWebhookDeliveryResponse };
  /** Send a delivery again now, with the same webhook-id */
  redeliverWebhook: { args: [delivery_id: string]; response: RedeliverWebhookResponse };
  /** Expiry reminder thresholds (default 14/7/1 days) and the idle revocation policy */
  getReminderSettings: { args: []; response: GetReminderSettingsResponse };
  /** Set the expiry reminder thresholds and "revoke tokens unused for N days" (null: never) */
  updateReminderSettings: {
    args: [body?: UpdateReminderSettingsBody];
    response: UpdateReminderSettingsResponse;
  };
  /** Notices for the project's tokens: expiring soon, or about to be revoked as idle */
  listReminders: { args: []; response: ListRemindersResponse };
  /** Notices for the calling token (or, in the console, the signed-in user’s tokens) */
  listMyReminders: { args: []; response: ListMyRemindersResponse };
  /** Token introspection (RFC 7662), form-encoded or JSON */
  introspectToken: { args: [body: IntrospectionRequest]; response: Introspection };
  /** Revoke the token given in the body (RFC 7009), form-encoded or JSON; needs no other token */
  revokeTokenByValue: { args: [body: RevokeTokenByValueBody]; response: RevokeTokenByValueResponse };
  /** GitHub secret-scanning partner endpoint: leaked Keyward tokens are revoked (or reported) */
  reportLeakedTokens: { args: []; response: ReportLeakedTokensResponse };
};
