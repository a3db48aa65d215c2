import { randomBytes } from 'node:crypto';
import type { Storage } from '@keyward/storage';
import type { Logger } from 'pino';
import type { BusHandlers, BusMessage, ChangeBus } from './change-bus.ts';
import type { CacheChange, Verifier } from './verifier.ts';

export type ChangeFeedOptions = {
  storage: Storage;
  verifier: Verifier;
  logger: Logger;
  /** Makes the bus (Redis or PostgreSQL), given the feed's handlers; null: the change log alone. */
  bus: ((node: string, handlers: BusHandlers) => ChangeBus) | null;
  /** How often the change log is read (one indexed statement, usually returning no row). */
  pollIntervalMs?: number;
  /** How long a confirmation that this node is caught up lets it answer from its cache. */
  trustWindowMs?: number;
  heartbeatIntervalMs?: number;
};

const BATCH = 500;
/** A node that has not beaten for this long is not counted as live. */
const LIVE_HORIZON_MS = 5_000;
/** Change-log rows older than this are deleted; a node away longer starts from an empty cache anyway. */
const RETENTION_MS = 10 * 60_000;
const PRUNE_INTERVAL_MS = 60_000;

/**
 * Keeps this node's cache in step with every other node's changes (ADR 0007).
 * - Committed local changes are published on the bus with their sequence.
 * - Messages from the bus are applied at once (the fast path, a few ms).
 * - Every `pollIntervalMs` the change log is read from the last sequence applied: a lost message,
 *   a publish that failed or a silent bus is caught up from there.
 * - The cache is used only while a read of the change log that STARTED less than `trustWindowMs`
 *   ago has completed (and the bus, if any, is subscribed): so no cached answer given later than
 *   `trustWindowMs` + one request after a change's commit can miss that change.
 */
export function createChangeFeed({
  storage,
  verifier,
  logger,
  bus: makeBus,
  pollIntervalMs = 20,
  trustWindowMs = 75,
  heartbeatIntervalMs = 1_000,
}: ChangeFeedOptions) {
  const node = randomBytes(8).toString('hex');
  const startedAt = Date.now();
  let applied: number | null = null;
  // Sequences above `applied` already applied from the bus or locally (with what they changed, so
  // a stray message can never stand in for the change log's own row): not applied twice.
  const seen = new Map<number, string>();
  let confirmedAt = Number.NEGATIVE_INFINITY;
  let busConnectedSince: number | null = makeBus ? null : Number.NEGATIVE_INFINITY;
  let busReported = false;
  let pollFailing = false;
  let closed = false;
  let liveNodes = 1;
  const timers: NodeJS.Timeout[] = [];

  function updateTrust(): void {
    const busOk = busConnectedSince !== null && confirmedAt >= busConnectedSince;
    const deadline = busOk ? confirmedAt + trustWindowMs : Number.NEGATIVE_INFINITY;
    verifier.setTrustDeadline(deadline);
    verifier.setCacheTrusted(performance.now() < deadline);
  }

  function apply(change: CacheChange, seq: number): void {
    if (applied !== null && seq <= applied) return;
    const key = JSON.stringify(change);
    if (seen.get(seq) === key) return;
    seen.set(seq, key);
    verifier.applyChange(change, seq);
  }

  const handlers: BusHandlers = {
    onMessage(message: BusMessage) {
      if (message.node !== node) apply(message.change, message.seq);
    },
    onState(connected, error) {
      if (connected) {
        busConnectedSince = performance.now();
        busReported = false;
        logger.info('change bus connected: cached verifications are trusted once caught up');
        void poll();
        return;
      }
      if (busConnectedSince !== null || !busReported) {
        logger.warn(
          { err: error },
          'change bus lost: every verification reads the database until it is back and caught up',
        );
        busReported = true;
      }
      busConnectedSince = null;
      updateTrust();
    },
  };
  const bus = makeBus ? makeBus(node, handlers) : null;

  let publishFailing = false;
  verifier.onInvalidate((change, seq) => {
    seen.set(seq, JSON.stringify(change));
    bus?.publish({ node, seq, change }).then(
      () => {
        publishFailing = false;
      },
      (error: unknown) => {
        // Harmless to correctness: the others read it from the change log within the trust window.
        if (!publishFailing)
          logger.warn({ err: error }, 'could not publish a change; the change log carries it');
        publishFailing = true;
      },
    );
  });

  let polling: Promise<void> | null = null;
  function poll(): Promise<void> {
    polling ??= pollOnce().finally(() => {
      polling = null;
    });
    return polling;
  }

  async function pollOnce(): Promise<void> {
    const started = performance.now();
    try {
      if (applied === null) {
        // The cache starts empty: nothing before this point needs applying.
        applied = await storage.cacheChanges.latest();
      }
      for (;;) {
        const records = await storage.cacheChanges.since(applied, BATCH);
        for (const record of records) apply(record.change as CacheChange, record.seq);
        if (records.length > 0) applied = records[records.length - 1]?.seq ?? applied;
        for (const seq of seen.keys()) if (seq <= applied) seen.delete(seq);
        if (records.length < BATCH) break;
      }
      confirmedAt = started;
      if (pollFailing) logger.info('change log readable again');
      pollFailing = false;
    } catch (error) {
      if (!pollFailing)
        logger.warn({ err: error }, 'could not read the change log: the cache is not trusted');
      pollFailing = true;
    }
    updateTrust();
  }

  async function pollLoop(): Promise<void> {
    if (closed) return;
    const started = performance.now();
    await poll();
    if (closed) return;
    timers[0] = setTimeout(pollLoop, Math.max(0, pollIntervalMs - (performance.now() - started))).unref();
  }

  async function beat(): Promise<void> {
    const at = Date.now();
    try {
      await storage.clusterNodes.heartbeat(node, startedAt, at);
      liveNodes = Math.max(1, await storage.clusterNodes.countLive(at - LIVE_HORIZON_MS));
    } catch {
      // The database is away: keep the last count (lease sizes and throttle shares stay as they were).
    }
  }

  async function prune(): Promise<void> {
    await storage.cacheChanges.prune(Date.now() - RETENTION_MS).catch(() => 0);
  }

  verifier.setCacheTrusted(false);
  verifier.setTrustDeadline(Number.NEGATIVE_INFINITY);
  void pollLoop();
  void beat();
  // A stalled poll (database unreachable) must still end trust when the window runs out.
  const watchdog = setInterval(updateTrust, pollIntervalMs);
  const heartbeat = setInterval(() => void beat(), heartbeatIntervalMs);
  const pruner = setInterval(() => void prune(), PRUNE_INTERVAL_MS);
  for (const timer of [watchdog, heartbeat, pruner]) timer.unref();

  return {
    node,
    busKind: bus?.kind ?? null,
    /** Subscribed to the bus (if any) and caught up within the trust window: the cache is used. */
    connected: () => verifier.isCacheTrusted(),
    /** Nodes that beat within the last few seconds, this one included (at least 1). */
    liveNodes: () => liveNodes,
    /** The last sequence applied here (null before the first read of the change log). */
    appliedSequence: () => applied,
    /** Resolves once the cache is trusted (false after `timeoutMs`); for start-up and tests. */
    async waitUntilConnected(timeoutMs = 2_000): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (!verifier.isCacheTrusted() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      return verifier.isCacheTrusted();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of [...timers, watchdog, heartbeat, pruner]) clearTimeout(timer);
      await polling;
      await bus?.close();
      await storage.clusterNodes.remove(node).catch(() => {});
    },
  };
}

export type ChangeFeed = ReturnType<typeof createChangeFeed>;
