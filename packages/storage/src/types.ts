import type {
  AuditCheckpoint,
  AuditKeys,
  ChainVerdict,
  ErrorId,
  EventId,
  InvitationId,
  LeaseStore,
  OwnerType,
  ProjectId,
  RoleId,
  Scope,
  ServiceAccountId,
  SessionId,
  TokenId,
  TokenState,
  TokenStatus,
  UserId,
  WebhookDeliveryId,
  WebhookEndpointId,
  WebhookMessageId,
} from '@keyward/core';

/** Times are milliseconds since the epoch everywhere in storage; the HTTP edge renders ISO 8601. */
export type Millis = number;

/** A rate-limit window: `limit` requests per `windowSeconds`. Several may apply at once. */
export type RateLimitPolicy = { limit: number; windowSeconds: number };

export type ProjectSettings = {
  /** Longest lifetime a token of this project may have; null: no maximum. */
  maxTokenLifetimeSeconds: number | null;
  /** Lifetime given when a request names no expiry; null: tokens do not expire by default. */
  defaultTokenLifetimeSeconds: number | null;
  /** What a confirmed leak report (secret scanning) does to the token: revoke (default) or notify only. */
  leakAction?: LeakAction;
  /** Days before expiry at which a token's reminder is sent; absent: 14, 7 and 1. */
  expiryReminderDays?: number[];
  /** Revoke tokens unused for this many days; absent or null: never. */
  idleRevokeDays?: number | null;
  /** Days before an idle revocation at which the owner is warned. */
  idleReminderDays?: number | null;
};

export type LeakAction = 'revoke' | 'notify';

/** A token's metadata: a JSON object the verify answers carry (validated by core, at most 4 KB). */
export type TokenMetadata = Record<string, unknown>;

export type Project = {
  id: ProjectId;
  name: string;
  tokenPrefix: string;
  settings: ProjectSettings;
  rateLimits: RateLimitPolicy[];
  createdAt: Millis;
  updatedAt: Millis;
};

export type User = {
  id: UserId;
  email: string;
  name: string;
  passwordHash: string | null;
  active: boolean;
  instanceAdmin: boolean;
  rateLimits: RateLimitPolicy[];
  createdAt: Millis;
  updatedAt: Millis;
};

export type Role = {
  id: RoleId;
  projectId: ProjectId;
  name: string;
  description: string;
  scopes: Scope[];
  builtin: boolean;
  createdAt: Millis;
  updatedAt: Millis;
};

export type Membership = {
  projectId: ProjectId;
  userId: UserId;
  roleId: RoleId;
  createdAt: Millis;
};

export type ServiceAccount = {
  id: ServiceAccountId;
  projectId: ProjectId;
  name: string;
  description: string;
  roleId: RoleId;
  active: boolean;
  rateLimits: RateLimitPolicy[];
  createdBy: string | null;
  createdAt: Millis;
  updatedAt: Millis;
};

/** standard: made through the API; personal: a user's one API Access key; imported: an existing key. */
export type TokenKind = 'standard' | 'personal' | 'imported';

export type Token = {
  id: TokenId;
  projectId: ProjectId;
  ownerType: OwnerType;
  ownerId: UserId | ServiceAccountId;
  kind: TokenKind;
  name: string;
  description: string;
  /** When set, the token's rights are the role's current scopes and `scopes` is ignored. */
  roleId: RoleId | null;
  scopes: Scope[];
  prefix: string;
  hint: string;
  rateLimits: RateLimitPolicy[];
  expiresAt: Millis | null;
  revokedAt: Millis | null;
  revokedReason: string | null;
  disabledAt: Millis | null;
  lastRotatedAt: Millis | null;
  lastUsedAt: Millis | null;
  lastUsedIps: string[];
  /** Requests the token was admitted for, and attempts refused (expired, over a limit, lacking a scope…). */
  admittedCount: number;
  refusedCount: number;
  /** False once the owner is deactivated, removed from the project, or (service account) inactive. */
  ownerActive: boolean;
  /** The name of `roleId`'s role, read with the token. */
  roleName: string | null;
  createdBy: string | null;
  createdAt: Millis;
  updatedAt: Millis;
  /** CIDRs the token may be used from; empty: any address. */
  allowedIps: string[];
  metadata: TokenMetadata;
};

export type TokenSecret = {
  hash: string;
  hashVersion: number;
  tokenId: TokenId;
  createdAt: Millis;
  /** Set on a secret superseded by a rotation with a grace period. */
  expiresAt: Millis | null;
};

/** The state the verify decision needs plus the token's rate-limit policies, from one indexed read. */
export type TokenLookup = {
  state: TokenState;
  hashVersion: number;
  hint: string;
  /** The role the token's rights come from, if it has one. */
  role: { id: RoleId; name: string } | null;
  rateLimits: { token: RateLimitPolicy[]; owner: RateLimitPolicy[]; project: RateLimitPolicy[] };
  /** CIDRs the token may be used from (empty: any) and its metadata, read with the state. */
  allowedIps: string[];
  metadata: TokenMetadata;
};

export type AuditActorType = 'user' | 'service_account' | 'system' | 'anonymous';

export type AuditChange = { before?: unknown; after?: unknown };

export type AuditEventInput = {
  actorType: AuditActorType;
  actorId: string | null;
  /** The token the actor authenticated with, if any. */
  viaTokenId: TokenId | null;
  projectId: ProjectId | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  changes: Record<string, AuditChange> | null;
  /** How many occurrences the event stands for (a coalesced flood); default 1. */
  count?: number;
};

export type AuditEvent = Required<AuditEventInput> & {
  id: EventId;
  seq: number;
  occurredAt: Millis;
  /** The pepper version whose derived key MACs the event; null for events from before keying. */
  keyVersion: number | null;
  prevHash: string;
  hash: string;
};

export type ErrorRecord = {
  id: ErrorId;
  createdAt: Millis;
  requestId: string;
  status: number;
  code: string;
  title: string;
  detail: string;
  method: string;
  /** Path without the query string. */
  path: string;
  tokenId: TokenId | null;
  projectId: ProjectId | null;
  /** The session user who received it (console callers have no token). */
  userId: UserId | null;
  context: Record<string, unknown>;
  /** Identical refusals within one window share the record: how many it stands for. */
  count: number;
  lastSeenAt: Millis;
};

export type Session = {
  id: SessionId;
  /** HMAC of the cookie value; the cookie value itself is never stored. */
  secretHash: string;
  csrfToken: string;
  userId: UserId;
  createdAt: Millis;
  expiresAt: Millis;
};

export type UsageOutcome = string;

export type UsageIncrement = { tokenId: TokenId; bucketStart: Millis; outcome: UsageOutcome; count: number };

export type LastUsedUpdate = { tokenId: TokenId; at: Millis; ips: string[] };

export type UsagePoint = { bucketStart: Millis; outcome: UsageOutcome; count: number };

export type Page<T> = { items: T[]; nextCursor: string | null };

export type PageRequest = { limit: number; cursor?: string | null };

export type TokenFilter = {
  projectId: ProjectId;
  ownerType?: OwnerType;
  ownerId?: string;
  status?: TokenStatus;
  kind?: TokenKind;
  roleId?: RoleId;
  /** Case-insensitive substring of the name. */
  search?: string;
  /** Only tokens with an expiry before this time (e.g. "expiring within 7 days" with status active). */
  expiresBefore?: Millis;
  /** Needed to tell active from expired. */
  now: Millis;
};

export type AuditFilter = {
  /** null: instance-level events (logins, setup) that belong to no project. */
  projectId?: ProjectId | null;
  actorId?: string;
  action?: string;
  targetId?: string;
  from?: Millis;
  to?: Millis;
};

export type NewToken = Omit<
  Token,
  | 'revokedAt'
  | 'revokedReason'
  | 'disabledAt'
  | 'lastRotatedAt'
  | 'lastUsedAt'
  | 'lastUsedIps'
  | 'admittedCount'
  | 'refusedCount'
  | 'ownerActive'
  | 'roleName'
  | 'updatedAt'
  | 'allowedIps'
  | 'metadata'
> &
  Partial<Pick<Token, 'allowedIps' | 'metadata'>>;

export type TokenPatch = Partial<
  Pick<
    Token,
    'name' | 'description' | 'scopes' | 'roleId' | 'expiresAt' | 'rateLimits' | 'allowedIps' | 'metadata'
  >
>;

/**
 * What an `Idempotency-Key` answered the first time (no secret: a replay says it was delivered).
 * `status` 0: the first request is still running.
 */
export type IdempotencyRecord = {
  projectId: ProjectId;
  actorId: string;
  key: string;
  requestHash: string;
  status: number;
  tokenIds: TokenId[];
  createdAt: Millis;
  expiresAt: Millis;
};

export interface IdempotencyRepository {
  /**
   * Takes the key for this actor and project (a pending record, expiring at `expiresAt`); false
   * when a live record (pending or complete) already holds it.
   */
  claim(record: IdempotencyRecord): Promise<boolean>;
  /** Records what the request made; the record then lives until `expiresAt`. */
  complete(
    record: Pick<IdempotencyRecord, 'projectId' | 'actorId' | 'key' | 'status' | 'tokenIds' | 'expiresAt'>,
  ): Promise<void>;
  /** Frees a pending key (its request failed, so a retry may run it). */
  release(projectId: ProjectId, actorId: string, key: string): Promise<void>;
  /** The live record of a key, or null (none, or expired at `now`). */
  get(projectId: ProjectId, actorId: string, key: string, now: Millis): Promise<IdempotencyRecord | null>;
  /** Deletes records that expired before `before`; returns how many. */
  purge(before: Millis): Promise<number>;
}

export interface ProjectRepository {
  create(project: Omit<Project, 'updatedAt'>): Promise<Project>;
  get(id: ProjectId): Promise<Project | null>;
  list(page: PageRequest): Promise<Page<Project>>;
  /** Projects the user is a member of. */
  listForUser(userId: UserId): Promise<Project[]>;
  update(
    id: ProjectId,
    patch: Partial<Pick<Project, 'name' | 'settings' | 'rateLimits'>>,
    now: Millis,
  ): Promise<Project | null>;
  count(): Promise<number>;
}

export interface UserRepository {
  create(user: Omit<User, 'updatedAt'>): Promise<User>;
  get(id: UserId): Promise<User | null>;
  /** Case-insensitive. */
  getByEmail(email: string): Promise<User | null>;
  update(
    id: UserId,
    patch: Partial<Pick<User, 'name' | 'passwordHash' | 'active' | 'rateLimits'>>,
    now: Millis,
  ): Promise<User | null>;
  count(): Promise<number>;
}

export interface RoleRepository {
  create(role: Omit<Role, 'updatedAt'>): Promise<Role>;
  get(projectId: ProjectId, id: RoleId): Promise<Role | null>;
  getByName(projectId: ProjectId, name: string): Promise<Role | null>;
  list(projectId: ProjectId): Promise<Role[]>;
  update(
    projectId: ProjectId,
    id: RoleId,
    patch: Partial<Pick<Role, 'description' | 'scopes'>>,
    now: Millis,
  ): Promise<Role | null>;
  /** False when the role is still in use by a member, service account or token. */
  delete(projectId: ProjectId, id: RoleId): Promise<boolean>;
}

export type Member = Membership & { email: string; name: string; active: boolean; roleName: string };

export interface MembershipRepository {
  /** Adds or changes a user's role in a project. */
  put(membership: Membership): Promise<Membership>;
  get(projectId: ProjectId, userId: UserId): Promise<Membership | null>;
  list(projectId: ProjectId): Promise<Member[]>;
  remove(projectId: ProjectId, userId: UserId): Promise<boolean>;
}

export type Invitation = {
  id: InvitationId;
  projectId: ProjectId;
  email: string;
  roleId: RoleId;
  /** Keyed hash of the one-time code; the code itself is shown once and never stored. */
  codeHash: string;
  hashVersion: number;
  createdBy: string | null;
  createdAt: Millis;
  expiresAt: Millis;
  failedAttempts: number;
  redeemedAt: Millis | null;
  redeemedBy: UserId | null;
  revokedAt: Millis | null;
};

export type NewInvitation = Omit<Invitation, 'failedAttempts' | 'redeemedAt' | 'redeemedBy' | 'revokedAt'>;

export type PendingInvitation = Invitation & { roleName: string };

export interface InvitationRepository {
  create(invitation: NewInvitation): Promise<Invitation>;
  /** The invitation one of the candidate hashes names (current pepper first), whatever its state. */
  findByCodeHashes(hashes: readonly string[]): Promise<Invitation | null>;
  /** Not redeemed, revoked, burnt or expired at `now`; newest first. */
  listPending(projectId: ProjectId, now: Millis): Promise<PendingInvitation[]>;
  /** Guarded: only an invitation neither redeemed nor revoked is revoked; null otherwise. */
  revoke(projectId: ProjectId, id: InvitationId, now: Millis): Promise<Invitation | null>;
  /** Revokes the project's open invitations for an email; returns their ids. */
  revokeOpenForEmail(projectId: ProjectId, email: string, now: Millis): Promise<InvitationId[]>;
  /** Failed redemptions over the email's invitations (any project) created at or after `since`. */
  failuresForEmail(email: string, since: Millis): Promise<number>;
  /** Counts a failed redemption; returns the new count. */
  recordFailure(id: InvitationId): Promise<number>;
  /** Guarded single use: false when the invitation was redeemed, revoked, burnt or expired meanwhile. */
  markRedeemed(id: InvitationId, userId: UserId, now: Millis): Promise<boolean>;
}

export interface ServiceAccountRepository {
  create(account: Omit<ServiceAccount, 'updatedAt'>): Promise<ServiceAccount>;
  get(projectId: ProjectId, id: ServiceAccountId): Promise<ServiceAccount | null>;
  list(projectId: ProjectId): Promise<ServiceAccount[]>;
  update(
    projectId: ProjectId,
    id: ServiceAccountId,
    patch: Partial<Pick<ServiceAccount, 'name' | 'description' | 'roleId' | 'active' | 'rateLimits'>>,
    now: Millis,
  ): Promise<ServiceAccount | null>;
}

export interface TokenRepository {
  /** Inserts the token and its first secret atomically. */
  create(token: NewToken, secret: Omit<TokenSecret, 'tokenId'>): Promise<Token>;
  get(projectId: ProjectId, id: TokenId): Promise<Token | null>;
  /** Newest first; the cursor walks every matching token, never truncating silently. */
  list(filter: TokenFilter, page: PageRequest): Promise<Page<Token>>;
  /** One indexed read joining secret → token → role → owner → project. Null when no hash matches. */
  findByHashes(hashes: readonly string[]): Promise<TokenLookup | null>;
  /** The user's personal (API Access) key in a project that is not revoked, if any. */
  findPersonal(projectId: ProjectId, userId: UserId): Promise<Token | null>;
  update(projectId: ProjectId, id: TokenId, patch: TokenPatch, now: Millis): Promise<Token | null>;
  /** Guarded: only a token not yet revoked is revoked; null when none was. */
  revoke(projectId: ProjectId, id: TokenId, reason: string | null, now: Millis): Promise<Token | null>;
  /** Guarded: null when the token is revoked or does not exist. */
  setDisabled(projectId: ProjectId, id: TokenId, disabled: boolean, now: Millis): Promise<Token | null>;
  /**
   * Adds `secret` as the token's current secret. Older secrets end at `oldSecretsExpireAt`
   * (deleted when it is `now` or earlier). Guarded in the same transaction: returns null when the
   * token is revoked, expired at `now`, or missing.
   */
  rotate(
    projectId: ProjectId,
    id: TokenId,
    secret: Omit<TokenSecret, 'tokenId'>,
    oldSecretsExpireAt: Millis,
    hint: string,
    now: Millis,
  ): Promise<Token | null>;
  /** Revokes every live token of an owner or of a project; returns the ids revoked. */
  revokeByOwner(
    projectId: ProjectId,
    ownerId: string,
    reason: string | null,
    now: Millis,
  ): Promise<TokenId[]>;
  /** Ids of the live tokens whose rights come from this role or this owner (for cache refresh). */
  idsByRole(projectId: ProjectId, roleId: RoleId): Promise<TokenId[]>;
  idsByOwner(ownerId: string): Promise<TokenId[]>;
  /** Hashes of every secret of the token (for cache entries keyed by hash). */
  secretHashes(id: TokenId): Promise<string[]>;
  /** Whether any imported (non-Keyward-format) key exists, so the verify path knows to accept them. */
  hasImported(): Promise<boolean>;
  /** Applies batched usage: adds counts and stamps last used (the newest time and IPs win). */
  recordUsage(lastUsed: readonly LastUsedUpdate[], counts: readonly UsageIncrement[]): Promise<void>;
  usageSeries(id: TokenId, from: Millis, to: Millis): Promise<UsagePoint[]>;
  /** Forgets secrets that ended before `before` (rotated away): they answer unknown from then on. */
  purgeEndedSecrets(before: Millis): Promise<number>;
}

export interface AuditRepository {
  /**
   * Appends to the MAC chain under `keys.currentVersion`; concurrent appends across processes
   * serialize on the chain head.
   */
  append(event: AuditEventInput, now: Millis, keys: AuditKeys): Promise<AuditEvent>;
  list(filter: AuditFilter, page: PageRequest): Promise<Page<AuditEvent>>;
  /** The chain head: the last seq and its MAC (the genesis value when empty). */
  head(): Promise<{ seq: number; hash: string }>;
  /** Recomputes every MAC and link, checks the stored head and that each checkpoint's head is in the chain. */
  verifyChain(
    keys: AuditKeys,
    checkpoints?: readonly Pick<AuditCheckpoint, 'seq' | 'head'>[],
  ): Promise<ChainVerdict>;
}

export interface ErrorRecordRepository {
  create(record: ErrorRecord): Promise<void>;
  get(id: ErrorId): Promise<ErrorRecord | null>;
  /** Adds occurrences to shared records (one statement each) and moves their last-seen time on. */
  addOccurrences(updates: readonly { id: ErrorId; count: number; lastSeenAt: Millis }[]): Promise<void>;
  /** How many records exist (benchmarks and tests count what a flood wrote). */
  count(): Promise<number>;
  /** Deletes records created before `before`; returns how many. */
  purge(before: Millis): Promise<number>;
}

export interface SessionRepository {
  create(session: Session): Promise<void>;
  getBySecretHash(secretHash: string): Promise<Session | null>;
  delete(id: SessionId): Promise<void>;
  deleteForUser(userId: UserId): Promise<void>;
  purgeExpired(now: Millis): Promise<number>;
}

/** A change that affects verification, as the change log holds it (ADR 0007). */
export type CacheChangeRecord = {
  seq: number;
  projectId: string | null;
  change: Record<string, unknown>;
  createdAt: Millis;
};

export interface CacheChangeRepository {
  /**
   * Records a change in the change log. Inside a transaction it is written just before the commit
   * (so sequence order is commit order) and announced (`Storage.onCacheChanges`) once committed;
   * outside one it is written in its own transaction and announced at once.
   */
  record(change: Record<string, unknown>, projectId: string | null, at: Millis): Promise<void>;
  /** Changes after `seq`, oldest first. A background read: not counted by `statementCount`. */
  since(seq: number, limit: number): Promise<CacheChangeRecord[]>;
  /** The highest sequence written so far (0 when none); not counted by `statementCount`. */
  latest(): Promise<number>;
  /** Deletes changes recorded before `before`; returns how many. */
  prune(before: Millis): Promise<number>;
}

/** Each node's heartbeat; background writes, not counted by `statementCount`. */
export interface ClusterNodeRepository {
  heartbeat(nodeId: string, startedAt: Millis, at: Millis): Promise<void>;
  /** Nodes seen at `since` or later (the caller's own included once it has beaten). */
  countLive(since: Millis): Promise<number>;
  remove(nodeId: string): Promise<void>;
}

/** PostgreSQL LISTEN/NOTIFY on a channel of this storage's own schema. */
export interface Notifications {
  /** The channel, named after the connection's schema. */
  channelName(): Promise<string>;
  /** Sends `payload` to every listener (delivered when the sending statement commits). */
  notify(payload: string): Promise<void>;
  /** A dedicated connection that listens, reconnecting until closed; `onState` tells whether it is listening. */
  listen(
    onMessage: (payload: string) => void,
    onState: (listening: boolean, error?: unknown) => void,
    /** Shown in pg_stat_activity, so an operator (or a test) can find the listening connection. */
    applicationName?: string,
  ): { close(): Promise<void> };
}

export type WebhookEndpoint = {
  id: WebhookEndpointId;
  projectId: ProjectId;
  url: string;
  description: string;
  /** Event types, or `*` for all. */
  events: string[];
  /** The signing secret sealed under the pepper; never returned by the API after creation. */
  sealedSecret: string;
  disabledAt: Millis | null;
  disabledReason: string | null;
  createdBy: string | null;
  createdAt: Millis;
  updatedAt: Millis;
};

export type WebhookEndpointPatch = Partial<
  Pick<WebhookEndpoint, 'url' | 'description' | 'events' | 'sealedSecret' | 'disabledAt' | 'disabledReason'>
>;

export type WebhookMessage = {
  id: WebhookMessageId;
  projectId: ProjectId;
  type: string;
  /** The exact JSON body every endpoint receives (signed as is). */
  payload: string;
  createdAt: Millis;
};

/** pending: due or retrying; delivered: a 2xx answer; failed: retries spent. */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export type WebhookDelivery = {
  id: WebhookDeliveryId;
  messageId: WebhookMessageId;
  endpointId: WebhookEndpointId;
  projectId: ProjectId;
  eventType: string;
  status: WebhookDeliveryStatus;
  /** Every attempt ever made (redeliveries included). */
  attempts: number;
  /** Failed attempts since the last (re)delivery: they choose the next backoff. */
  failures: number;
  nextAttemptAt: Millis | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
  lastAttemptAt: Millis | null;
  deliveredAt: Millis | null;
  createdAt: Millis;
};

export type WebhookAttempt = {
  attempt: number;
  attemptedAt: Millis;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  node: string;
};

/** A delivery a node holds the lease on, with what it needs to send it. */
export type ClaimedDelivery = WebhookDelivery & {
  url: string;
  sealedSecret: string;
  payload: string;
  messageCreatedAt: Millis;
};

export type AttemptOutcome = {
  at: Millis;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  delivered: boolean;
  /** Null when the delivery is given up. */
  nextAttemptAt: Millis | null;
};

/** The token fields reminders and idle revocation decide on. */
export type ReminderCandidate = {
  id: TokenId;
  projectId: ProjectId;
  name: string;
  hint: string;
  ownerType: OwnerType;
  ownerId: string;
  expiresAt: Millis | null;
  lastUsedAt: Millis | null;
  lastRotatedAt: Millis | null;
  createdAt: Millis;
};

export interface WebhookRepository {
  createEndpoint(
    endpoint: Omit<WebhookEndpoint, 'updatedAt' | 'disabledAt' | 'disabledReason'>,
  ): Promise<WebhookEndpoint>;
  getEndpoint(projectId: ProjectId, id: WebhookEndpointId): Promise<WebhookEndpoint | null>;
  listEndpoints(projectId: ProjectId): Promise<WebhookEndpoint[]>;
  updateEndpoint(
    projectId: ProjectId,
    id: WebhookEndpointId,
    patch: WebhookEndpointPatch,
    now: Millis,
  ): Promise<WebhookEndpoint | null>;
  deleteEndpoint(projectId: ProjectId, id: WebhookEndpointId): Promise<boolean>;
  /**
   * The outbox write: the message and one pending delivery per enabled endpoint that wants it
   * (or to `onlyEndpoint` alone, whatever it subscribes to: a test message).
   */
  enqueue(message: WebhookMessage, onlyEndpoint?: WebhookEndpointId): Promise<number>;
  /**
   * Leases up to `limit` due deliveries of enabled endpoints to `node` until `leaseUntil`; a
   * delivery whose lease ran out (its node died) is due again. PostgreSQL skips rows another
   * node is claiming (FOR UPDATE SKIP LOCKED).
   */
  claimDue(now: Millis, leaseUntil: Millis, node: string, limit: number): Promise<ClaimedDelivery[]>;
  /** Records an attempt and releases the lease; false when the lease was lost to another node. */
  finishAttempt(id: WebhookDeliveryId, node: string, outcome: AttemptOutcome): Promise<boolean>;
  listDeliveries(
    projectId: ProjectId,
    filter: { endpointId?: WebhookEndpointId; status?: WebhookDeliveryStatus },
    limit: number,
  ): Promise<WebhookDelivery[]>;
  getDelivery(
    projectId: ProjectId,
    id: WebhookDeliveryId,
  ): Promise<(WebhookDelivery & { payload: string; attemptLog: WebhookAttempt[] }) | null>;
  /** Makes a delivery due now again (same message, same webhook-id); null when it is not found. */
  redeliver(projectId: ProjectId, id: WebhookDeliveryId, now: Millis): Promise<WebhookDelivery | null>;
  /** True the first time a token's reminder (kind, threshold) is marked; false ever after. */
  markReminder(tokenId: TokenId, kind: string, threshold: number, now: Millis): Promise<boolean>;
  /** Reminder kinds and thresholds already sent for these tokens. */
  remindersFor(
    tokenIds: readonly TokenId[],
  ): Promise<{ tokenId: TokenId; kind: string; threshold: number }[]>;
  /** Live (not revoked) tokens of a project, or of all projects, expiring after `from` and by `until`. */
  tokensExpiring(from: Millis, until: Millis, projectId?: ProjectId): Promise<ReminderCandidate[]>;
  /** Live tokens of a project last used (or, never used, created) at or before `before`. */
  tokensIdleSince(projectId: ProjectId, before: Millis): Promise<ReminderCandidate[]>;
}

export type Repositories = {
  projects: ProjectRepository;
  users: UserRepository;
  roles: RoleRepository;
  members: MembershipRepository;
  serviceAccounts: ServiceAccountRepository;
  tokens: TokenRepository;
  audit: AuditRepository;
  errors: ErrorRecordRepository;
  sessions: SessionRepository;
  invitations: InvitationRepository;
  cacheChanges: CacheChangeRepository;
  clusterNodes: ClusterNodeRepository;
  idempotency: IdempotencyRepository;
  webhooks: WebhookRepository;
};

export interface Storage extends Repositories {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs `fn` in one transaction; the repositories it receives use that transaction. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Counts every SQL statement executed (tests use it to prove the verify path issues none). */
  readonly statementCount: () => number;
  ping(): Promise<void>;
  /** The PostgreSQL connection pool's state; null on SQLite (one connection, no pool). */
  poolStats(): PoolStats | null;
  /** Called with the changes of every commit that recorded some (`cacheChanges.record`), in sequence order. */
  onCacheChanges(listener: (records: CacheChangeRecord[]) => void): void;
  /** LISTEN/NOTIFY on PostgreSQL; null on SQLite. */
  readonly notifications: Notifications | null;
  /** Rate-limit windows shared by every node (ADR 0016) on PostgreSQL; null on SQLite (one node). */
  readonly rateLimitWindows: LeaseStore | null;
  close(): Promise<void>;
}

export type PoolStats = { max: number; open: number; idle: number; waiting: number };
