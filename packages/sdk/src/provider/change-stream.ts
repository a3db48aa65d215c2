import { readEventStream } from './sse.ts';
import type { WireChange } from './wire.ts';

export type ChangeStreamOptions = {
  url: string;
  token: string;
  fetch: typeof fetch;
  onChange: (change: WireChange) => void;
  /** Drop everything cached: the server could not tell what a change touched. */
  onResync: () => void;
  /** False whenever the stream is down, not yet subscribed, or the node itself is not trusted. */
  onTrust: (trusted: boolean) => void;
  onError?: (error: Error) => void;
  /** Silence this long (the server pings every 5 s) means the stream is dead. */
  heartbeatTimeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
};

export type ChangeStream = {
  trusted(): boolean;
  /** Resolves once the stream is subscribed and trusted (or after `timeoutMs`, false). */
  whenTrusted(timeoutMs: number): Promise<boolean>;
  close(): void;
  stats(): { connects: number; disconnects: number };
};

/** Keeps one subscription to `GET /v1/sdk/changes`, reconnecting with jittered exponential backoff. */
export function openChangeStream(options: ChangeStreamOptions): ChangeStream {
  const { heartbeatTimeoutMs = 15_000, minBackoffMs = 200, maxBackoffMs = 10_000 } = options;
  let closed = false;
  let trusted = false;
  let current: AbortController | null = null;
  let backoff = minBackoffMs;
  let lastActivity = Date.now();
  const waiting = new Set<(ok: boolean) => void>();
  const stats = { connects: 0, disconnects: 0 };

  function setTrusted(value: boolean): void {
    if (value === trusted) return;
    trusted = value;
    options.onTrust(value);
    if (value) for (const done of waiting) done(true);
    if (value) waiting.clear();
  }

  function handle(event: string, data: string): void {
    if (event === 'change') options.onChange(JSON.parse(data) as WireChange);
    else if (event === 'resync') options.onResync();
    else if (event === 'ready' || event === 'trust') {
      const { trusted: nodeTrusted } = JSON.parse(data) as { trusted: boolean };
      if (event === 'ready') backoff = minBackoffMs;
      setTrusted(nodeTrusted);
    }
  }

  const watchdog = setInterval(
    () => {
      if (current && Date.now() - lastActivity > heartbeatTimeoutMs) current.abort();
    },
    Math.max(50, Math.floor(heartbeatTimeoutMs / 3)),
  );
  watchdog.unref?.();

  async function connectOnce(): Promise<void> {
    const controller = new AbortController();
    current = controller;
    lastActivity = Date.now();
    const response = await options.fetch(options.url, {
      headers: { authorization: `Bearer ${options.token}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new Error(`the change stream answered ${response.status}`);
    }
    stats.connects++;
    await readEventStream(
      response.body,
      ({ event, data }) => handle(event, data),
      () => {
        lastActivity = Date.now();
      },
    );
  }

  async function run(): Promise<void> {
    while (!closed) {
      try {
        await connectOnce();
      } catch (error) {
        if (!closed) options.onError?.(error instanceof Error ? error : new Error(String(error)));
      }
      current = null;
      stats.disconnects++;
      setTrusted(false);
      if (closed) break;
      const wait = backoff / 2 + Math.random() * (backoff / 2);
      backoff = Math.min(backoff * 2, maxBackoffMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        timer.unref?.();
      });
    }
  }
  void run();

  return {
    trusted: () => trusted,
    whenTrusted(timeoutMs) {
      if (trusted) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(resolve);
          resolve(false);
        }, timeoutMs);
        timer.unref?.();
        waiting.add((ok) => {
          clearTimeout(timer);
          resolve(ok);
        });
      });
    },
    close() {
      closed = true;
      clearInterval(watchdog);
      current?.abort();
      setTrusted(false);
      for (const done of waiting) done(false);
      waiting.clear();
    },
    stats: () => ({ ...stats }),
  };
}
