import { resolve } from 'node:path';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';

const ConfigSchema = Type.Object({
  /** Loopback by default: only this machine reaches a fresh server (and its setup code). */
  host: Type.String({ default: '127.0.0.1' }),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  dataDir: Type.String({ default: './data' }),
  databaseUrl: Type.Optional(Type.String()),
  redisUrl: Type.Optional(Type.String()),
  /** Hex or base64 pepper; when absent a file `<dataDir>/pepper` is created (0600) and used. */
  pepper: Type.Optional(Type.String({ minLength: 32 })),
  pepperFile: Type.Optional(Type.String()),
  /** Older peppers kept to verify tokens hashed before a pepper rotation: `version:key,…`. */
  previousPeppers: Type.Optional(Type.String()),
  pepperVersion: Type.Integer({ minimum: 1, default: 1 }),
  errorRetentionDays: Type.Number({ exclusiveMinimum: 0, default: 30 }),
  /** Identical errors to one caller (token, code, route) within this window share one error record. */
  errorWindowSeconds: Type.Number({ exclusiveMinimum: 0, default: 60 }),
  /** Comma-separated addresses or CIDRs of proxies whose X-Forwarded-For is believed. */
  trustedProxies: Type.String({ default: '' }),
  logLevel: Type.Union(
    [
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ],
    { default: 'info' },
  ),
  bodyLimitBytes: Type.Integer({ minimum: 1024, default: 65_536 }),
  sessionTtlHours: Type.Number({ exclusiveMinimum: 0, default: 12 }),
  /** Positive verify results are reused for at most this long (the database stays the authority). */
  verifyCacheTtlSeconds: Type.Number({ minimum: 0, default: 60 }),
  usageFlushIntervalSeconds: Type.Number({ exclusiveMinimum: 0, default: 10 }),
  consoleDir: Type.Optional(Type.String()),
  /** Limits for tokens without their own, as `limit/seconds` entries, or `none`. */
  defaultTokenRateLimits: Type.String({ default: '6000/60' }),
  /** Failed authentications allowed per client address before it gets 429 (`none` to disable). */
  failedAuthRateLimits: Type.String({ default: '30/60' }),
  /** Wrong passwords allowed per account before its sign-ins get 429 (the right password too). */
  loginAccountRateLimits: Type.String({ default: '5/900' }),
  /** Wrong passwords allowed per client address, across accounts. */
  loginAddressRateLimits: Type.String({ default: '20/900' }),
  /** Password hashes (argon2id, 64 MiB each) computed at once; more wait, past a short queue 503. */
  passwordHashConcurrency: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
  /** Wrong first-run setup codes before setup is locked until the next start (a new code). */
  setupCodeAttempts: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  /** Repeated refusals (failed sign-ins, CSRF failures, …) by one actor within this window are one audit event. */
  auditCoalesceSeconds: Type.Number({ exclusiveMinimum: 0, default: 60 }),
  /** How often a signed audit checkpoint is written to the log and `<dataDir>/audit-checkpoint.json`. */
  auditCheckpointIntervalSeconds: Type.Number({ exclusiveMinimum: 0, default: 600 }),
  redisKeyPrefix: Type.String({ default: 'keyward:' }),
  /**
   * Several nodes (ADR 0007): a node answers from its cache only while it confirmed it was caught
   * up with the change log less than this long ago; with the 20 ms poll this bounds how late any
   * node may still admit a revoked token (75 ms + one request: within 100 ms).
   */
  changeTrustWindowMs: Type.Integer({ minimum: 30, maximum: 60_000, default: 75 }),
  /** How long /readyz waits for the database before it answers 503. */
  readinessTimeoutMs: Type.Integer({ minimum: 10, maximum: 60_000, default: 2_000 }),
  /** Bearer token that unlocks `GET /metrics`; without it, /metrics answers only direct loopback callers. */
  metricsToken: Type.Optional(Type.String({ minLength: 16 })),
  /** The gateway door sends an admitted token's metadata (JSON) in this header; empty: not sent. */
  gatewayMetadataHeader: Type.String({ default: '', pattern: '^([A-Za-z0-9-]{1,64})?$' }),
  /** GitHub secret scanning: the URL of GitHub's signing keys (fetched and cached)… */
  githubScanningKeysUrl: Type.String({ default: '' }),
  /** …or a file holding that key list (JSON, as the URL answers); neither: the endpoint is off. */
  githubScanningKeysFile: Type.String({ default: '' }),
  /** Webhook targets on loopback, private or link-local addresses are refused unless this is true. */
  webhookAllowPrivateTargets: Type.Boolean({ default: false }),
  /** Plain gateway checks are answered on the socket, ahead of node:http (ADR 0017). */
  gatewayLane: Type.Boolean({ default: true }),
  /** How often each node looks for due webhook deliveries. */
  webhookDispatchIntervalMs: Type.Integer({ minimum: 50, maximum: 600_000, default: 1_000 }),
  /** How long a receiver may take to answer one delivery. */
  webhookTimeoutSeconds: Type.Number({ exclusiveMinimum: 0, maximum: 60, default: 10 }),
  /** A claimed delivery is this node's for this long; a node that dies loses it to another after it. */
  webhookLeaseSeconds: Type.Number({ exclusiveMinimum: 0, default: 60 }),
  /** How often each node looks for tokens due an expiry reminder, an idle warning or idle revocation. */
  reminderIntervalSeconds: Type.Number({ exclusiveMinimum: 0, default: 300 }),
});

export type Config = Static<typeof ConfigSchema>;

/** Environment variable for each setting; nothing else in Keyward reads `process.env`. */
const ENV_NAMES: Record<keyof Config, string> = {
  host: 'KEYWARD_HOST',
  port: 'KEYWARD_PORT',
  dataDir: 'KEYWARD_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  redisUrl: 'REDIS_URL',
  pepper: 'KEYWARD_PEPPER',
  pepperFile: 'KEYWARD_PEPPER_FILE',
  previousPeppers: 'KEYWARD_PREVIOUS_PEPPERS',
  pepperVersion: 'KEYWARD_PEPPER_VERSION',
  errorRetentionDays: 'KEYWARD_ERROR_RETENTION_DAYS',
  errorWindowSeconds: 'KEYWARD_ERROR_WINDOW_SECONDS',
  trustedProxies: 'KEYWARD_TRUSTED_PROXIES',
  logLevel: 'KEYWARD_LOG_LEVEL',
  bodyLimitBytes: 'KEYWARD_BODY_LIMIT_BYTES',
  sessionTtlHours: 'KEYWARD_SESSION_TTL_HOURS',
  verifyCacheTtlSeconds: 'KEYWARD_VERIFY_CACHE_TTL_SECONDS',
  usageFlushIntervalSeconds: 'KEYWARD_USAGE_FLUSH_INTERVAL_SECONDS',
  consoleDir: 'KEYWARD_CONSOLE_DIR',
  defaultTokenRateLimits: 'KEYWARD_DEFAULT_TOKEN_RATE_LIMITS',
  failedAuthRateLimits: 'KEYWARD_FAILED_AUTH_RATE_LIMITS',
  loginAccountRateLimits: 'KEYWARD_LOGIN_ACCOUNT_RATE_LIMITS',
  loginAddressRateLimits: 'KEYWARD_LOGIN_ADDRESS_RATE_LIMITS',
  passwordHashConcurrency: 'KEYWARD_PASSWORD_HASH_CONCURRENCY',
  setupCodeAttempts: 'KEYWARD_SETUP_CODE_ATTEMPTS',
  auditCoalesceSeconds: 'KEYWARD_AUDIT_COALESCE_SECONDS',
  auditCheckpointIntervalSeconds: 'KEYWARD_AUDIT_CHECKPOINT_INTERVAL_SECONDS',
  redisKeyPrefix: 'KEYWARD_REDIS_KEY_PREFIX',
  changeTrustWindowMs: 'KEYWARD_CHANGE_TRUST_WINDOW_MS',
  readinessTimeoutMs: 'KEYWARD_READINESS_TIMEOUT_MS',
  metricsToken: 'KEYWARD_METRICS_TOKEN',
  gatewayMetadataHeader: 'KEYWARD_GATEWAY_METADATA_HEADER',
  githubScanningKeysUrl: 'KEYWARD_GITHUB_SCANNING_KEYS_URL',
  githubScanningKeysFile: 'KEYWARD_GITHUB_SCANNING_KEYS_FILE',
  webhookAllowPrivateTargets: 'KEYWARD_WEBHOOK_ALLOW_PRIVATE_TARGETS',
  gatewayLane: 'KEYWARD_GATEWAY_LANE',
  webhookDispatchIntervalMs: 'KEYWARD_WEBHOOK_DISPATCH_INTERVAL_MS',
  webhookTimeoutSeconds: 'KEYWARD_WEBHOOK_TIMEOUT_SECONDS',
  webhookLeaseSeconds: 'KEYWARD_WEBHOOK_LEASE_SECONDS',
  reminderIntervalSeconds: 'KEYWARD_REMINDER_INTERVAL_SECONDS',
};

export const CONFIG_ENV_NAMES = ENV_NAMES;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Builds the configuration once: defaults, then environment, then explicit overrides (CLI flags). */
export function loadConfig(
  env: Record<string, string | undefined> = {},
  overrides: Partial<Config> = {},
): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) raw[key] = value;
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw));
  const errors = [...Value.Errors(ConfigSchema, converted)];
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const key = e.instancePath.replace(/^\//, '') as keyof Config;
      return `${ENV_NAMES[key] ?? key}: ${e.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const config = converted as Config;
  return { ...config, dataDir: resolve(config.dataDir) };
}
