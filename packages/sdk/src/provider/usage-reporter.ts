import type { VerifyCode } from './wire.ts';

/** A token's counts since the last flush; VALID, nearly every answer, in a field of its own. */
type TokenUsage = {
  valid: number;
  outcomes: Partial<Record<VerifyCode, number>>;
  lastUsedAt: number | null;
  ips: string[];
};

const outcomesOf = (u: TokenUsage): Partial<Record<VerifyCode, number>> =>
  u.valid > 0 ? { VALID: u.valid, ...u.outcomes } : u.outcomes;

export type UsageReporterOptions = {
  send: (body: unknown) => Promise<void>;
  flushIntervalMs: number;
  /** Tokens buffered between flushes; past it, further tokens' counts are dropped (and counted). */
  maxTokens?: number;
};

/** Usage of in-process answers, sent to Keyward in one batch per interval (POST /v1/sdk/usage). */
export function createUsageReporter({ send, flushIntervalMs, maxTokens = 10_000 }: UsageReporterOptions) {
  let buffer = new Map<string, TokenUsage>();
  let dropped = 0;
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => void flush(), flushIntervalMs);
  timer.unref?.();

  function record(tokenId: string, code: VerifyCode, ip: string | null, at: number): void {
    let usage = buffer.get(tokenId);
    if (usage === undefined) {
      if (buffer.size >= maxTokens) {
        dropped++;
        return;
      }
      usage = { valid: 0, outcomes: {}, lastUsedAt: null, ips: [] };
      buffer.set(tokenId, usage);
    }
    if (code !== 'VALID') {
      usage.outcomes[code] = (usage.outcomes[code] ?? 0) + 1;
      return;
    }
    usage.valid++;
    usage.lastUsedAt = at;
    if (ip !== null && usage.ips[0] !== ip)
      usage.ips = [ip, ...usage.ips.filter((x) => x !== ip)].slice(0, 5);
  }

  async function flushOnce(): Promise<void> {
    if (buffer.size === 0) return;
    const batch = buffer;
    buffer = new Map();
    const entries = [...batch].map(([token_id, u]) => ({
      token_id,
      outcomes: outcomesOf(u),
      last_used_at: u.lastUsedAt === null ? null : new Date(u.lastUsedAt).toISOString(),
      ips: u.ips,
    }));
    try {
      for (let i = 0; i < entries.length; i += 1000) await send({ entries: entries.slice(i, i + 1000) });
    } catch {
      // Keep the counts for the next flush (merged into whatever arrived since).
      for (const [tokenId, u] of batch) {
        const now = buffer.get(tokenId);
        if (!now) {
          if (buffer.size < maxTokens) buffer.set(tokenId, u);
          else dropped++;
          continue;
        }
        now.valid += u.valid;
        for (const [code, n] of Object.entries(u.outcomes))
          now.outcomes[code as VerifyCode] = (now.outcomes[code as VerifyCode] ?? 0) + (n ?? 0);
        now.lastUsedAt = Math.max(now.lastUsedAt ?? 0, u.lastUsedAt ?? 0) || null;
      }
    }
  }

  function flush(): Promise<void> {
    running = running.then(flushOnce);
    return running;
  }

  return {
    record,
    flush,
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
    },
    stats: () => ({ bufferedTokens: buffer.size, dropped }),
  };
}
