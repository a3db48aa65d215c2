import {
  constantTimeEqual,
  ERROR_CATALOG,
  type ErrorCode,
  KeywardError,
  VERIFY_CODES,
  type VerifyCode,
} from '@keyward/core';
import type { PoolStats } from '@keyward/storage';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ErrorRecorderStats } from '../services/error-recorder.ts';
import type { RateLimitMode } from '../services/rate-limits.ts';
import type { UsageStats } from '../services/usage-recorder.ts';
import type { App, Deps } from '../types.ts';

/** Where a verification came in: the gateway door, the verify API, introspection, or any guarded route. */
export type Door = 'authorize' | 'verify' | 'introspect' | 'api';
const DOORS: readonly Door[] = ['authorize', 'verify', 'introspect', 'api'];

export type MetricsOptions = {
  version: string;
  usage: () => UsageStats;
  cacheEntries: () => number;
  limiterMode: () => RateLimitMode;
  poolStats: () => PoolStats | null;
  errorRecords: () => ErrorRecorderStats;
};

const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

/**
 * Prometheus metrics on an own registry (one per app, so tests can build many). Labels carry only
 * bounded values (door, outcome, mode): never a token, hash or id.
 */
export function createMetrics({
  version,
  usage,
  cacheEntries,
  limiterMode,
  poolStats,
  errorRecords,
}: MetricsOptions) {
  const registry = new Registry();
  // The standard process_* and nodejs_* series, so stock Node.js dashboards work. The event-loop
  // delay histogram samples every 50 ms instead of 10: at 10 it cost the gateway door throughput.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 50 });
  new Gauge({
    name: 'keyward_build_info',
    help: 'Always 1; the labels say which Keyward and Node.js this process runs',
    labelNames: ['version', 'node_version'] as const,
    registers: [registry],
    collect() {
      this.set({ version, node_version: process.version }, 1);
    },
  });
  if (poolStats() !== null) registerPoolGauges(registry, poolStats);
  const verifications = registerTally(registry, {
    name: 'keyward_verifications_total',
    help: 'Token verifications by door and outcome',
    type: 'counter',
    series: DOORS.flatMap((door) => VERIFY_CODES.map((outcome) => ({ door, outcome }))),
  });
  const duration = registerTimeHistogram(registry, {
    name: 'keyward_verification_duration_seconds',
    help: 'Time from the presented token to the decision, rate limit included',
    doors: DOORS,
    buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25],
  });
  const cache = registerTally(registry, {
    name: 'keyward_verify_cache_total',
    help: 'Verify cache lookups of well-formed tokens: hit or miss',
    type: 'counter',
    series: [{ result: 'hit' }, { result: 'miss' }],
  });
  new Gauge({
    name: 'keyward_verify_cache_entries',
    help: 'Positive verify results cached on this node',
    registers: [registry],
    collect() {
      this.set(cacheEntries());
    },
  });
  new Gauge({
    name: 'keyward_usage_buffer_entries',
    help: 'Usage counters and last-used stamps waiting for the next flush',
    registers: [registry],
    collect() {
      this.set(usage().bufferedEntries);
    },
  });
  new Gauge({
    name: 'keyward_usage_flush_lag_seconds',
    help: 'Age of the oldest usage count not yet written',
    registers: [registry],
    collect() {
      this.set(usage().lagMs / 1000);
    },
  });
  new Gauge({
    name: 'keyward_usage_last_flush_duration_seconds',
    help: 'Duration of the last usage flush',
    registers: [registry],
    collect() {
      this.set(usage().lastFlushDurationMs / 1000);
    },
  });
  new Counter({
    name: 'keyward_usage_flushes_total',
    help: 'Usage flushes by result',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      const s = usage();
      this.reset();
      this.inc({ result: 'ok' }, s.flushes);
      this.inc({ result: 'failed' }, s.failedFlushes);
    },
  });
  new Gauge({
    name: 'keyward_rate_limiter_mode',
    help: 'Where rate limits are counted: 1 for the current mode (memory on one node, database on several)',
    labelNames: ['mode'] as const,
    registers: [registry],
    collect() {
      const current = limiterMode();
      for (const mode of ['memory', 'database'] as const) this.set({ mode }, mode === current ? 1 : 0);
    },
  });

  const unauthenticated = registerTally(registry, {
    name: 'keyward_unauthenticated_errors_total',
    help: 'Errors answered to callers nobody identified (they share one error record per code, route and window)',
    type: 'counter',
    series: ERROR_CODES.map((code) => ({ code })),
  });
  new Counter({
    name: 'keyward_error_records_total',
    help: 'Errors answered: with a new error record (written) or the id of an open one (coalesced)',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      const s = errorRecords();
      this.reset();
      this.inc({ result: 'written' }, s.written);
      this.inc({ result: 'coalesced' }, s.coalesced);
      // Written late after a database outage, or dropped from its full buffer (ids never stored).
      this.inc({ result: 'deferred' }, s.deferred);
      this.inc({ result: 'dropped' }, s.dropped);
    },
  });

  const http = new Histogram({
    name: 'keyward_http_request_duration_seconds',
    help: 'Requests answered through the router (management API, refusals at the doors), by route and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  const doorIndex = new Map(DOORS.map((door, i) => [door, i] as const));
  const codeIndex = new Map(ERROR_CODES.map((code, i) => [code, i] as const));
  const outcomeIndex = new Map(VERIFY_CODES.map((code, i) => [code, i] as const));

  return {
    registry,
    /** One verification; `cached` is null when the token never reached the cache (malformed). */
    verification(door: Door, outcome: VerifyCode, cached: boolean | null, startedAt: number): void {
      const d = doorIndex.get(door) ?? 0;
      verifications.add(d * VERIFY_CODES.length + (outcomeIndex.get(outcome) ?? 0));
      duration.observe(d, (performance.now() - startedAt) / 1000);
      if (cached !== null) cache.add(cached ? 0 : 1);
    },
    unauthenticatedError(code: ErrorCode): void {
      unauthenticated.add(codeIndex.get(code) ?? 0);
    },
    /** One answered request; `route` is the route's pattern (bounded), never the path sent. */
    request(method: string, route: string, statusCode: number, seconds: number): void {
      http.observe({ method, route, status_code: String(statusCode) }, seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The PostgreSQL pool, read when scraped. */
function registerPoolGauges(registry: Registry, poolStats: () => PoolStats | null): void {
  const help = {
    max: 'PostgreSQL pool: most connections it may open',
    open: 'PostgreSQL pool: connections open',
    idle: 'PostgreSQL pool: connections open and idle',
    waiting: 'PostgreSQL pool: queries queued for a connection',
  } as const;
  for (const [field, text] of Object.entries(help) as [keyof PoolStats, string][])
    new Gauge({
      name: `keyward_db_pool_${field}`,
      help: text,
      registers: [registry],
      collect() {
        this.set(poolStats()?.[field] ?? 0);
      },
    });
}

type Labels = Record<string, string>;
type MetricValue = { labels: Labels; value: number; metricName?: string };

/**
 * A counter family kept as plain numbers and read by the registry when scraped: the verification
 * path only adds to an array slot (prom-client's own counters cost ~1 µs a request there).
 */
function registerTally(
  registry: Registry,
  options: { name: string; help: string; type: 'counter'; series: Labels[] },
) {
  const counts = new Float64Array(options.series.length);
  registry.registerMetric({
    name: options.name,
    help: options.help,
    type: options.type,
    aggregator: 'sum',
    get: async () => ({
      name: options.name,
      help: options.help,
      type: options.type,
      aggregator: 'sum',
      values: options.series.map((labels, i): MetricValue => ({ labels, value: counts[i] ?? 0 })),
    }),
  } as unknown as Parameters<Registry['registerMetric']>[0]);
  return {
    add(series: number) {
      counts[series] = (counts[series] ?? 0) + 1;
    },
  };
}

/** A histogram per door of durations in seconds, kept as plain bucket counts (see registerTally). */
function registerTimeHistogram(
  registry: Registry,
  options: { name: string; help: string; doors: readonly string[]; buckets: number[] },
) {
  const width = options.buckets.length + 1;
  const counts = new Float64Array(options.doors.length * width);
  const sums = new Float64Array(options.doors.length);
  const values = (): MetricValue[] =>
    options.doors.flatMap((door, d) => {
      let cumulative = 0;
      const rows: MetricValue[] = options.buckets.map((le, b) => {
        cumulative += counts[d * width + b] ?? 0;
        return { labels: { door, le: String(le) }, value: cumulative, metricName: `${options.name}_bucket` };
      });
      cumulative += counts[d * width + options.buckets.length] ?? 0;
      rows.push({ labels: { door, le: '+Inf' }, value: cumulative, metricName: `${options.name}_bucket` });
      rows.push({ labels: { door }, value: sums[d] ?? 0, metricName: `${options.name}_sum` });
      rows.push({ labels: { door }, value: cumulative, metricName: `${options.name}_count` });
      return rows;
    });
  registry.registerMetric({
    name: options.name,
    help: options.help,
    type: 'histogram',
    aggregator: 'sum',
    get: async () => ({
      name: options.name,
      help: options.help,
      type: 'histogram',
      aggregator: 'sum',
      values: values(),
    }),
  } as unknown as Parameters<Registry['registerMetric']>[0]);
  return {
    observe(door: number, seconds: number) {
      let b = 0;
      while (b < options.buckets.length && seconds > (options.buckets[b] ?? 0)) b++;
      const slot = door * width + b;
      counts[slot] = (counts[slot] ?? 0) + 1;
      sums[door] = (sums[door] ?? 0) + seconds;
    },
  };
}

const LOOPBACK = /^(?:127\.|::1$|::ffff:127\.)/;

/**
 * Counts every request the router answers by route pattern and status, and serves `GET /metrics`.
 * With KEYWARD_METRICS_TOKEN set it demands `Authorization: Bearer <that token>`;
 * without it, it answers only callers on the loopback interface that did not come through a proxy.
 */
export function registerMetrics(app: App, deps: Deps): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.request(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        tags: ['system'],
        summary: 'Prometheus metrics (bearer KEYWARD_METRICS_TOKEN, or loopback only without one)',
      },
    },
    async (request, reply) => {
      const expected = deps.config.metricsToken;
      if (expected !== undefined) {
        const given = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
        if (!constantTimeEqual(given, expected)) {
          throw new KeywardError('UNAUTHENTICATED', 'Send the metrics token as a Bearer token', {
            www_authenticate: 'Bearer realm="keyward-metrics"',
          });
        }
      } else {
        const proxied =
          request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
        if (proxied || !LOOPBACK.test(request.socket.remoteAddress ?? '')) {
          throw new KeywardError('FORBIDDEN', 'Set KEYWARD_METRICS_TOKEN to read metrics from another host');
        }
      }
      reply.type(deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    },
  );
}
