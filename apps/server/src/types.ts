import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  AuditKeys,
  OwnerType,
  PepperRing,
  ProjectId,
  RoleId,
  Scope,
  SessionId,
  SetupGuardState,
  TokenId,
} from '@keyward/core';
import type { Storage } from '@keyward/storage';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Metrics } from './plugins/metrics.ts';
import type { RoutePolicy } from './plugins/policy.ts';
import type { AuditCheckpoints } from './services/audit-checkpoints.ts';
import type { AuditLog } from './services/audit-log.ts';
import type { ChangeFeed } from './services/change-feed.ts';
import type { ErrorRecorder } from './services/error-recorder.ts';
import type { RateLimitService, RateLimitState } from './services/rate-limits.ts';
import type { Reminders } from './services/reminders.ts';
import type { SignInThrottle } from './services/sign-in-throttle.ts';
import type { UsageRecorder } from './services/usage-recorder.ts';
import type { Verifier } from './services/verifier.ts';
import type { WebhookDispatcher } from './services/webhook-dispatcher.ts';
import type { WorkSlots } from './services/work-slots.ts';

export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Who is calling: a token (Bearer / X-Api-Key) or a console session, always inside one project. */
export type Principal = {
  via: 'token' | 'session';
  tokenId: TokenId | null;
  sessionId: SessionId | null;
  ownerType: OwnerType;
  ownerId: string;
  projectId: ProjectId;
  /** Effective rights right now: never more than the owner's. */
  scopes: Scope[];
  expiresAt: number | null;
  name: string;
  /** Console sessions only: the token state-changing requests must echo. */
  csrfToken: string | null;
  /** Token principals only: the public hint and the role the token's rights come from. */
  token: { hint: string; role: { id: RoleId; name: string } | null } | null;
};

/** Everything the routes need, chosen once by the composition root. */
export type Deps = {
  config: Config;
  storage: Storage;
  peppers: PepperRing;
  now: () => number;
  verifier: Verifier;
  /** MAC keys of the audit chain, derived from the pepper ring (never stored in the database). */
  auditKeys: AuditKeys;
  audit: AuditLog;
  auditCheckpoints: AuditCheckpoints;
  rateLimits: RateLimitService;
  /** Keeps the cache in step with the other nodes (change log + Redis or PostgreSQL bus); null on a single SQLite node. */
  invalidationBus: ChangeFeed | null;
  /** Usage counts and last-used stamps, buffered in memory and flushed in batches. */
  usage: UsageRecorder;
  /** Error records, one per window of identical errors, their counts flushed in batches. */
  errorRecords: ErrorRecorder;
  metrics: Metrics;
  logger: Logger;
  /** The one-time code that lets the first administrator be created from the console. */
  setupCode: string | null;
  /** Wrong setup codes so far; locked, setup waits for a restart (and its new code). */
  setupGuard: SetupGuardState;
  /** Wrong passwords counted per account and per address (POST /v1/auth/login). */
  signInThrottle: SignInThrottle;
  /** Bounds the argon2id hashes computed at once. */
  passwordSlots: WorkSlots;
  /** Sends due webhook deliveries from the outbox (started by the server, driven by tests). */
  webhooks: WebhookDispatcher;
  /** Expiry reminders, idle warnings and idle revocation. */
  reminders: Reminders;
};

export type RegisteredRoute = {
  method: string;
  url: string;
  hidden: boolean;
  policy: RoutePolicy | null;
  /** Authenticated in onRequest by a route guard, before anything is parsed or validated. */
  guarded: boolean;
};

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route the app serves, for the OpenAPI completeness and bad-input tests. */
    registeredRoutes: readonly RegisteredRoute[];
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** Set when a presented token was found but refused, so its error record names it. */
    failedTokenId: string | null;
    failedProjectId: string | null;
    /** Set by the auth guard: the limits that applied to this request and what counting it gave. */
    rateLimit: RateLimitState | null;
  }
}

/** What a client address and a request id are read from: a request's headers and its socket's peer. */
export type AddressedRequest = {
  readonly headers: IncomingHttpHeaders;
  readonly socket: { readonly remoteAddress?: string | undefined };
};
