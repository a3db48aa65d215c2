export type ProviderErrorReport = {
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
};

export type ErrorReporterOptions = {
  send: (body: unknown) => Promise<void>;
  flushIntervalMs: number;
  /** Reports waiting for delivery; past it the oldest are dropped (and counted). */
  maxQueued?: number;
};

export const MAX_CONTEXT_BYTES = 4096;
const SECRET_KEY = /authorization|cookie|api[-_]?key|token|secret|password|passwd|credential/i;

/** Provider context as it may be stored: secret-looking keys dropped, at most 4 KB of JSON. */
export function safeContext(context: Record<string, unknown>): Record<string, unknown> {
  const clean = (value: unknown, depth: number): unknown => {
    if (depth > 6 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.slice(0, 50).map((v) => clean(v, depth + 1));
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([key]) => !SECRET_KEY.test(key))
        .map(([key, v]) => [key, clean(v, depth + 1)]),
    );
  };
  const result = clean(context, 0) as Record<string, unknown>;
  let text: string;
  try {
    text = JSON.stringify(result);
  } catch {
    return { truncated: true };
  }
  return new TextEncoder().encode(text).length <= MAX_CONTEXT_BYTES ? result : { truncated: true };
}

/**
 * Error reports go out in batches, never on the request's path: `enqueue` only queues. While
 * Keyward is unreachable the queue holds them (bounded) and delivers later, with backoff.
 */
export function createErrorReporter({ send, flushIntervalMs, maxQueued = 1000 }: ErrorReporterOptions) {
  let queue: ProviderErrorReport[] = [];
  const stats = { sent: 0, dropped: 0, failedFlushes: 0 };
  let running: Promise<void> = Promise.resolve();
  let pausedUntil = 0;
  let backoff = flushIntervalMs;
  const timer = setInterval(() => void flush(), flushIntervalMs);
  timer.unref?.();

  async function flushOnce(force: boolean): Promise<void> {
    if (!force && Date.now() < pausedUntil) return;
    while (queue.length > 0) {
      const batch = queue.slice(0, 100);
      try {
        await send({ errors: batch });
      } catch {
        stats.failedFlushes++;
        pausedUntil = Date.now() + backoff;
        backoff = Math.min(backoff * 2, 60_000);
        return;
      }
      queue = queue.slice(batch.length);
      stats.sent += batch.length;
      backoff = flushIntervalMs;
    }
  }

  function flush(force = false): Promise<void> {
    running = running.then(() => flushOnce(force));
    return running;
  }

  return {
    enqueue(report: ProviderErrorReport): void {
      queue.push(report);
      if (queue.length > maxQueued) {
        queue.shift();
        stats.dropped++;
      }
    },
    flush: () => flush(true),
    async close(): Promise<void> {
      clearInterval(timer);
      await flush(true);
    },
    stats: () => ({ ...stats, queued: queue.length }),
  };
}
