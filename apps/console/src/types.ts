/** The API's views, as the console reads them (snake_case, as sent). */

import type { RateLimitPolicyView } from '@keyward/sdk';

export type {
  AuditEventView,
  ErrorRecord as ErrorRecordView,
  Page,
  RoleView,
  TokenReplay,
  TokenStatus,
  TokenView,
  TokenWithSecret,
} from '@keyward/sdk';

export type ProjectView = {
  id: string;
  name: string;
  token_prefix: string;
  settings: { max_token_lifetime_seconds: number | null; default_token_lifetime_seconds: number | null };
  rate_limits: RateLimitPolicyView[];
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
  rate_limits: RateLimitPolicyView[];
  created_by: string | null;
  created_at: string;
  updated_at: string;
};

export type InvitationView = {
  id: string;
  email: string;
  role_id: string;
  role: string;
  created_by: string | null;
  created_at: string;
  expires_at: string;
};
