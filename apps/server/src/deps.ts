import { join } from 'node:path';
import { createAuditKeys, newSetupCode } from '@keyward/core';
import { createLeaseRateLimiter, createMemoryRateLimiter, createShareRateLimiter } from '@keyward/ratelimit';
import { migrateToLatest, type Notifications, type Storage, storageFromUrl } from '@keyward/storage';
import { type DestinationStream, type Logger, pino } from 'pino';
import { type Config, ConfigError } from './config.ts';
import { loadPepperRing } from './pepper.ts';
import { createMetrics } from './plugins/metrics.ts';
import { createAuditCheckpoints } from './services/audit-checkpoints.ts';
import { createAuditLog } from './services/audit-log.ts';
import type { BusHandlers } from './services/change-bus.ts';
import { createPostgresChangeBus } from './services/change-bus-postgres.ts';
import { createChangeFeed } from './services/change-feed.ts';
import { createErrorRecorder } from './services/error-recorder.ts';
import { createRedisChangeBus } from './services/invalidation-bus.ts';
import { createRateLimitService, parsePolicyList } from './services/rate-limits.ts';
import { createReminders } from './services/reminders.ts';
import { createSignInThrottle } from './services/sign-in-throttle.ts';
import { createUsageRecorder } from './services/usage-recorder.ts';
import { createVerifier, type Verifier } from './services/verifier.ts';
import { createWebhookDispatcher } from './services/webhook-dispatcher.ts';
import { createWorkSlots } from './services/work-slots.ts';
import type { Deps } from './types.ts';
import { VERSION } from './version.ts';

/** JSON lines on stdout, or into `destination` (the CLI's terminal formatter). */
export function createLogger(config: Config, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      enabled: config.logLevel !== 'silent',
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-api-key"]',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

function policies(text: string, setting: string) {
  try {
    return parsePolicyList(text);
  } catch (error) {
    throw new ConfigError(`${setting}: ${(error as Error).message}`);
  }
}

/** How long start-up waits for the bus; past it the node starts reading the database for every check. */
const BUS_START_WAIT_MS = 2_000;

/**
 * One node: every limit in memory. Several nodes on PostgreSQL: token, owner and project limits are
 * counted in the database and spent from leases (ADR 0016), exact through any node's or Redis's
 * restart; per-address throttles (failed authentications, sign-ins) stay on each node at its share
 * of the limit, so a flood of refusals costs no database write.
 */
function createLimiters(storage: Storage, cluster: { liveNodes(): number } | null) {
  const memory = createMemoryRateLimiter();
  if (!cluster) return { limiter: memory, throttle: memory };
  const liveNodes = () => cluster.liveNodes();
  const throttle = createShareRateLimiter(memory, liveNodes);
  const windows = storage.rateLimitWindows;
  return {
    limiter: windows ? createLeaseRateLimiter({ store: windows, nodes: liveNodes }) : throttle,
    throttle,
  };
}

/**
 * Several nodes need the change feed (ADR 0007): over Redis when configured, else over PostgreSQL
 * LISTEN/NOTIFY. A single SQLite node has no other node to hear from.
 */
function createChangeFeedFor(config: Config, storage: Storage, verifier: Verifier, logger: Logger) {
  const { redisUrl } = config;
  const notifications = storage.notifications;
  if (!redisUrl && !notifications) {
    // Nobody reads the change log here, but it is still written: keep it short.
    const prune = () => void storage.cacheChanges.prune(Date.now() - 10 * 60_000).catch(() => 0);
    setInterval(prune, 10 * 60_000).unref();
    return null;
  }
  const bus = redisUrl
    ? (node: string, handlers: BusHandlers) =>
        createRedisChangeBus(
          { redisUrl, channel: `${config.redisKeyPrefix}cache-invalidation`, node },
          handlers,
        )
    : (node: string, handlers: BusHandlers) =>
        createPostgresChangeBus(notifications as Notifications, node, handlers);
  return createChangeFeed({ storage, verifier, logger, bus, trustWindowMs: config.changeTrustWindowMs });
}

type DepsOptions = { storage?: Storage; now?: () => number; logger?: Logger };

/** The composition root: the only place that chooses implementations. */
export async function createDeps(config: Config, options: DepsOptions = {}): Promise<Deps> {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? createLogger(config);
  const storage = options.storage ?? storageFromUrl(config.databaseUrl, config.dataDir);
  await migrateToLatest(storage);
  const peppers = loadPepperRing(config);
  const auditKeys = createAuditKeys(peppers);
  const verifier = createVerifier({ storage, peppers, now, cacheTtlMs: config.verifyCacheTtlSeconds * 1000 });
  verifier.setAcceptsLegacyKeys(await storage.tokens.hasImported());
  const invalidationBus = createChangeFeedFor(config, storage, verifier, logger);
  await invalidationBus?.waitUntilConnected(BUS_START_WAIT_MS);
  const { limiter, throttle } = createLimiters(storage, invalidationBus);
  const rateLimits = createRateLimitService({
    limiter,
    throttle,
    defaultTokenPolicies: policies(config.defaultTokenRateLimits, 'KEYWARD_DEFAULT_TOKEN_RATE_LIMITS'),
    failedAuthPolicies: policies(config.failedAuthRateLimits, 'KEYWARD_FAILED_AUTH_RATE_LIMITS'),
  });
  const usage = createUsageRecorder({
    storage,
    now,
    logger,
    flushIntervalMs: config.usageFlushIntervalSeconds * 1000,
  });
  const errorRecords = createErrorRecorder({
    storage,
    now,
    logger,
    windowMs: config.errorWindowSeconds * 1000,
    flushIntervalMs: config.usageFlushIntervalSeconds * 1000,
  });
  const metrics = createMetrics({
    version: VERSION,
    poolStats: storage.poolStats,
    usage: usage.stats,
    cacheEntries: verifier.cacheSize,
    limiterMode: rateLimits.mode,
    errorRecords: errorRecords.stats,
  });
  const needsSetup = (await storage.users.count()) === 0;
  return {
    config,
    storage,
    peppers,
    now,
    verifier,
    auditKeys,
    audit: createAuditLog({
      storage,
      now,
      keys: auditKeys,
      logger,
      coalesceWindowMs: config.auditCoalesceSeconds * 1000,
    }),
    auditCheckpoints: createAuditCheckpoints({
      storage,
      keys: auditKeys,
      now,
      logger,
      file: join(config.dataDir, 'audit-checkpoint.json'),
    }),
    rateLimits,
    invalidationBus,
    usage,
    errorRecords,
    metrics,
    logger,
    setupCode: needsSetup ? newSetupCode() : null,
    setupGuard: { wrong: 0, locked: false },
    signInThrottle: createSignInThrottle({
      limiter: throttle,
      accountPolicies: policies(config.loginAccountRateLimits, 'KEYWARD_LOGIN_ACCOUNT_RATE_LIMITS'),
      addressPolicies: policies(config.loginAddressRateLimits, 'KEYWARD_LOGIN_ADDRESS_RATE_LIMITS'),
    }),
    webhooks: createWebhookDispatcher({
      storage,
      peppers,
      auditKeys,
      now,
      logger,
      allowPrivateTargets: config.webhookAllowPrivateTargets,
      timeoutMs: config.webhookTimeoutSeconds * 1000,
      leaseMs: config.webhookLeaseSeconds * 1000,
      intervalMs: config.webhookDispatchIntervalMs,
    }),
    reminders: createReminders({
      storage,
      now,
      logger,
      auditKeys,
      verifier,
      intervalMs: config.reminderIntervalSeconds * 1000,
    }),
    passwordSlots: createWorkSlots({
      concurrency: config.passwordHashConcurrency,
      queueLimit: config.passwordHashConcurrency * 4,
    }),
  };
}
