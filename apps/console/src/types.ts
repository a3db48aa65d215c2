/** The API's views, as the console reads them (snake_case, as sent). */

export type TokenStatus = 'active' | 'expired' | 'revoked' | 'disabled';
export type OwnerType = 'user' | 'service_account';

export type RateLimit = { limit: number; window_seconds: number };

export type TokenView = {
  id: string;
  project_id: string;
  owner: { type: OwnerType; id: string };
  kind: string;
  name: string;
  description: string;
  role_id: string | null;
  scopes: string[];
  hint: string;
  status: TokenStatus;
  rate_limits: RateLimit[];
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
  usage_count: number;
};

/** The only response shape that ever carries a secret. */
export type TokenWithSecret = TokenView & { token: string };

export type Page<T> = { data: T[]; next_cursor: string | null };

export type ProjectView = {
  id: string;
  name: string;
  token_prefix: string;
  settings: { max_token_lifetime_seconds: number | null; default_token_lifetime_seconds: number | null };
  rate_limits: RateLimit[];
  created_at: string;
  updated_at: string;
};

export type SessionView = {
  user: { id: string; email: string; name: string; instance_admin: boolean };
  project_id: string;
  scopes: string[];
  projects: ProjectView[];
  csrf_token: string;
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

export type MemberView = {
  user_id: string;
  email: string;
  name: string;
  active: boolean;
  role_id: string;
  role: string;
  created_at: string;
};

export type ServiceAccountView = {
  id: string;
  project_id: string;
  name: string;
  description: string;
  role_id: string;
  active: boolean;
  rate_limits: RateLimit[];
  created_by: string | null;
  created_at: string;
  updated_at: string;
};

export type AuditEventView = {
  id: string;
  seq: number;
  occurred_at: string;
  actor: { type: string; id: string | null; via_token_id: string | null };
  project_id: string | null;
  action: string;
  target: { type: string | null; id: string | null };
  ip: string | null;
  user_agent: string | null;
  changes: Record<string, unknown> | null;
  hash: string;
  prev_hash: string;
};

export type ErrorRecordView = {
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
};
