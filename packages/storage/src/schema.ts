import type {
  ErrorId,
  EventId,
  InvitationId,
  OwnerType,
  ProjectId,
  RoleId,
  ServiceAccountId,
  SessionId,
  TokenId,
  UserId,
  WebhookDeliveryId,
  WebhookEndpointId,
  WebhookMessageId,
} from '@keyward/core';
import type { Generated } from 'kysely';
import type { AuditActorType, TokenKind } from './types.ts';

/**
 * The tables as both dialects store them. Times are integer milliseconds (BIGINT on PostgreSQL,
 * parsed back to numbers), booleans are INTEGER 0/1 and structured values are JSON in TEXT, so
 * every repository has one codepath.
 */
export type Flag = 0 | 1;

/** JSON text; the repositories parse and stringify at the edge of each row. */
export type JsonText = string;

export interface ProjectsTable {
  id: ProjectId;
  name: string;
  token_prefix: string;
  settings: JsonText;
  rate_limits: JsonText;
  created_at: number;
  updated_at: number;
}

export interface UsersTable {
  id: UserId;
  email: string;
  email_normalized: string;
  name: string;
  password_hash: string | null;
  active: Flag;
  instance_admin: Flag;
  rate_limits: JsonText;
  created_at: number;
  updated_at: number;
}

export interface RolesTable {
  id: RoleId;
  project_id: ProjectId;
  name: string;
  description: string;
  scopes: JsonText;
  builtin: Flag;
  created_at: number;
  updated_at: number;
}

export interface MembershipsTable {
  project_id: ProjectId;
  user_id: UserId;
  role_id: RoleId;
  created_at: number;
}

export interface ServiceAccountsTable {
  id: ServiceAccountId;
  project_id: ProjectId;
  name: string;
  description: string;
  role_id: RoleId;
  active: Flag;
  rate_limits: JsonText;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface TokensTable {
  id: TokenId;
  project_id: ProjectId;
  owner_type: OwnerType;
  owner_id: UserId | ServiceAccountId;
  kind: TokenKind;
  name: string;
  description: string;
  role_id: RoleId | null;
  scopes: JsonText;
  prefix: string;
  hint: string;
  rate_limits: JsonText;
  expires_at: number | null;
  revoked_at: number | null;
  revoked_reason: string | null;
  disabled_at: number | null;
  last_rotated_at: number | null;
  last_used_at: number | null;
  last_used_ips: JsonText;
  admitted_count: number;
  refused_count: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  /** JSON array of CIDRs; empty: any address. */
  allowed_ips: JsonText;
  /** JSON object, at most 4 KB. */
  metadata: JsonText;
}

export interface TokenSecretsTable {
  hash: string;
  hash_version: number;
  token_id: TokenId;
  created_at: number;
  expires_at: number | null;
}

/** A secret a rotation ended: kept (hash only) to answer ROTATED until the error retention ends. */
export interface RotatedSecretsTable {
  hash: string;
  hash_version: number;
  token_id: TokenId;
  /** When the secret stopped working. */
  expires_at: number;
}

export interface TokenUsageTable {
  token_id: TokenId;
  bucket_start: number;
  outcome: string;
  count: number;
}

export interface AuditEventsTable {
  seq: number;
  id: EventId;
  occurred_at: number;
  actor_type: AuditActorType;
  actor_id: string | null;
  via_token_id: TokenId | null;
  project_id: ProjectId | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  changes: JsonText | null;
  count: number;
  key_version: number | null;
  prev_hash: string;
  hash: string;
}

export interface AuditChainHeadTable {
  id: number;
  last_seq: number;
  last_hash: string;
}

export interface ErrorRecordsTable {
  id: ErrorId;
  created_at: number;
  request_id: string;
  status: number;
  code: string;
  title: string;
  detail: string;
  method: string;
  path: string;
  token_id: TokenId | null;
  project_id: ProjectId | null;
  user_id: UserId | null;
  context: JsonText;
  count: number;
  last_seen_at: number | null;
}

export interface SessionsTable {
  id: SessionId;
  secret_hash: string;
  csrf_token: string;
  user_id: UserId;
  created_at: number;
  expires_at: number;
}

export interface InvitationsTable {
  id: InvitationId;
  project_id: ProjectId;
  email: string;
  email_normalized: string;
  role_id: RoleId;
  code_hash: string;
  hash_version: number;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  failed_attempts: number;
  redeemed_at: number | null;
  redeemed_by: UserId | null;
  revoked_at: number | null;
}

export interface CacheChangesTable {
  seq: Generated<number>;
  project_id: string | null;
  change: JsonText;
  created_at: number;
}

export interface ClusterNodesTable {
  node_id: string;
  started_at: number;
  last_seen_at: number;
}

export interface RateLimitWindowsTable {
  key: string;
  window_start: number;
  window_ms: number;
  limit_units: number;
  count: number;
  granted: number;
  seen_at: number;
}

export interface IdempotencyKeysTable {
  project_id: ProjectId;
  actor_id: string;
  key: string;
  /** Keyed hash (HMAC) of the operation and the request body. */
  request_hash: string;
  status: number;
  /** JSON array of the token ids the original request made or changed. */
  token_ids: JsonText;
  created_at: number;
  expires_at: number;
}

export interface WebhookEndpointsTable {
  id: WebhookEndpointId;
  project_id: ProjectId;
  url: string;
  description: string;
  events: JsonText;
  sealed_secret: string;
  disabled_at: number | null;
  disabled_reason: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookMessagesTable {
  id: WebhookMessageId;
  project_id: ProjectId;
  type: string;
  payload: JsonText;
  created_at: number;
}

export interface WebhookDeliveriesTable {
  id: WebhookDeliveryId;
  message_id: WebhookMessageId;
  endpoint_id: WebhookEndpointId;
  project_id: ProjectId;
  status: string;
  attempts: number;
  failures: number;
  next_attempt_at: number | null;
  lease_until: number | null;
  leased_by: string | null;
  last_status_code: number | null;
  last_error: string | null;
  last_latency_ms: number | null;
  last_attempt_at: number | null;
  delivered_at: number | null;
  created_at: number;
}

export interface WebhookAttemptsTable {
  delivery_id: WebhookDeliveryId;
  attempt: number;
  attempted_at: number;
  status_code: number | null;
  error: string | null;
  latency_ms: number;
  node: string;
}

export interface TokenRemindersTable {
  token_id: TokenId;
  kind: string;
  threshold: number;
  sent_at: number;
}

export interface Database {
  projects: ProjectsTable;
  users: UsersTable;
  roles: RolesTable;
  memberships: MembershipsTable;
  service_accounts: ServiceAccountsTable;
  tokens: TokensTable;
  token_secrets: TokenSecretsTable;
  rotated_secrets: RotatedSecretsTable;
  token_usage: TokenUsageTable;
  audit_events: AuditEventsTable;
  audit_chain_head: AuditChainHeadTable;
  error_records: ErrorRecordsTable;
  sessions: SessionsTable;
  invitations: InvitationsTable;
  cache_changes: CacheChangesTable;
  cluster_nodes: ClusterNodesTable;
  rate_limit_windows: RateLimitWindowsTable;
  idempotency_keys: IdempotencyKeysTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_messages: WebhookMessagesTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  token_reminders: TokenRemindersTable;
}
