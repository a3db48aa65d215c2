import {
  constantTimeEqual,
  ERROR_CATALOG,
  type ErrorCode,
  KeywardError,
  VERIFY_CODES,
  type VerifyCode,
} from '@keyward/core';
import { Counter, Gauge, Registry } from 'prom-client';
import type { UsageStats } from '../services/usage-recorder.ts';
import type { App, Deps } from '../types.ts';

/** Where a verification came in: the gateway door, the verify API, introspection, or any guarded route. */
export type Door = 'authorize' | 'verify' | 'introspect' | 'api';
const DOORS: readonly Door[] = ['authorize', 'verify', 'introspect', 'api'];

import type { ErrorRecorderStats } from '../services/error-recorder.ts';
import type { RateLimitMode } from '../services/rate-limits.ts';

export type MetricsOptions = {
  usage: () => UsageStats;
  cacheEntries: () => number;
  limiterMode: () => RateLimitMode;
  errorRecords: () => ErrorRecorderStats;
};

const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

/**
 * Prometheus metrics on an own registry (one per app, so tests can build many). Labels carry only
 * bounded values (door, outcome, mode): never a token, hash or id.
 */
export function createMetrics({ usage, cacheEntries, limiterMode, errorRecords }: MetricsOptions) {
  const registry = new Registry();
  // Not collectDefaultMetrics: its event-loop-delay monitor alone cost 10-25% of the gateway door's
  // throughput in the bench. These are read only when scraped.
  new Gauge({
    name: 'keyward_process_cpu_seconds_total',
    help: 'User and system CPU time of this process',
    registers: [registry],
    collect() {
      const { user, system } = process.cpuUsage();
      this.set((user + system) / 1e6);
    },
  });
  new Gauge({
    name: 'keyward_process_resident_memory_bytes',
    help: 'Resident memory of this process',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'keyward_nodejs_heap_used_bytes',
    help: 'V8 heap in use',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  new Gauge({
    name: 'keyward_process_start_time_seconds',
    help: 'Start time of this process since the epoch',
    registers: [registry],
    collect() {
      this.set(Math.round((Date.now() - process.uptime() * 1000) / 1000));
    },
  });

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
    help: 'The rate limiter in use: 1 for the current mode (memory, redis, or fallback while Redis is down)',
    labelNames: ['mode'] as const,
    registers: [registry],
    collect() {
      const current = limiterMode();
      for (const mode of ['memory', 'redis', 'fallback'] as const)
        this.set({ mode }, mode === current ? 1 : 0);
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
    },
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
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

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
 * `GET /metrics`. With KEYWARD_METRICS_TOKEN set it demands `Authorization: Bearer <that token>`;
 * without it, it answers only callers on the loopback interface that did not come through a proxy.
 */
export function registerMetricsRoute(app: App, deps: Deps): void {
  app.get(
    '/metrics',
    {
      schema: {
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
