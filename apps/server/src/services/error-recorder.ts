import { type ErrorId, KeywardError, newId, withinCoalescingWindow } from '@keyward/core';
import type { ErrorRecord, Storage } from '@keyward/storage';
import type { Logger } from 'pino';

/** An error record as the edge knows it before it is stored (id, times and count come here). */
export type ErrorOccurrence = Omit<ErrorRecord, 'id' | 'createdAt' | 'count' | 'lastSeenAt'>;

export type ErrorRecorderOptions = {
  storage: Storage;
  now: () => number;
  logger: Logger;
  /** Identical errors within this long of the first share its record. */
  windowMs: number;
  /** How often the counts of shared records are written. */
  flushIntervalMs: number;
  /** Open windows kept in memory; past it an error gets a record of its own. */
  maxOpen?: number;
  /** Records kept in memory while the database is unavailable; past it they are dropped (counted). */
  maxDeferred?: number;
  /** How often the database is tried while records wait for it. */
  retryIntervalMs?: number;
};

export type ErrorRecorderStats = {
  /** Records inserted by this node. */
  written: number;
  /** Errors answered with the id of an existing record instead of a new one. */
  coalesced: number;
  /** Windows open on this node. */
  open: number;
  /** Records that waited in memory for the database during an outage, then were written. */
  deferred: number;
  /** Records that did not fit in the outage buffer: their ids were answered but never stored. */
  dropped: number;
  /** Records waiting now. */
  waiting: number;
};

type Window = {
  id: ErrorId;
  openedAt: number;
  lastSeenAt: number;
  /** Occurrences since the insert or the last flush, not yet written. */
  pending: number;
  /** Settles true once the record is stored, false if storing it failed. */
  stored: Promise<boolean>;
};

export type RecordedError = { id: ErrorId; stored: Promise<boolean> };

/**
 * One record per window of identical errors (see `errorCoalescingKey`): the first is inserted at
 * once, the rest only count in memory and are added to the record on the next flush. Every answer
 * carries the id of its window's record. Per node: nodes never coordinate, each writes its own.
 */
export function createErrorRecorder({
  storage,
  now,
  logger,
  windowMs,
  flushIntervalMs,
  maxOpen = 10_000,
  maxDeferred = 10_000,
  retryIntervalMs = 500,
}: ErrorRecorderOptions) {
  const open = new Map<string, Window>();
  const outage = createOutageBuffer({ storage, now, logger, windowMs, maxDeferred, retryIntervalMs });
  /** Windows replaced by a newer one whose last counts are still to be written. */
  let closed: Window[] = [];
  const stats = { written: 0, coalesced: 0 };
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  function insert(occurrence: ErrorOccurrence, at: number): Window {
    const id = newId('error', at);
    const record: ErrorRecord = { ...occurrence, id, createdAt: at, count: 1, lastSeenAt: at };
    stats.written++;
    const stored = storage.errors.create(record).then(
      () => true,
      (error: unknown) => {
        // An outage: the record waits in memory and is written once the database is back.
        if (isOutage(error)) outage.keep(record);
        else logger.error({ err: error, errorId: id }, 'could not store the error record');
        return false;
      },
    );
    return { id, openedAt: at, lastSeenAt: at, pending: 0, stored };
  }

  /** The record this error counts in; `occurrence` is built only when a new record is needed. */
  function record(key: string, occurrence: () => ErrorOccurrence): RecordedError {
    const at = now();
    const current = open.get(key);
    if (current && withinCoalescingWindow(current.openedAt, at, windowMs)) {
      current.pending++;
      if (at > current.lastSeenAt) current.lastSeenAt = at;
      stats.coalesced++;
      return current;
    }
    const fresh = insert(occurrence(), at);
    if (current) {
      open.delete(key);
      if (current.pending > 0) closed.push(current);
    }
    if (open.size < maxOpen) open.set(key, fresh);
    // A record that could not be stored is forgotten, so the next error tries again.
    void fresh.stored.then((ok) => {
      if (!ok && open.get(key) === fresh) open.delete(key);
    });
    return fresh;
  }

  async function writeCounts(): Promise<void> {
    const at = now();
    const windows = [...closed, ...open.values()].filter((w) => w.pending > 0);
    closed = [];
    for (const [key, w] of open) if (!withinCoalescingWindow(w.openedAt, at, windowMs)) open.delete(key);
    // Every record inserted so far is stored once a flush returns (the door answers before it is).
    await Promise.all([...open.values()].map((w) => w.stored));
    const ready: Window[] = [];
    for (const w of windows) if (await w.stored) ready.push(w);
    if (ready.length === 0) return;
    const updates = ready.map((w) => ({ id: w.id, count: w.pending, lastSeenAt: w.lastSeenAt }));
    for (const w of ready) w.pending = 0;
    try {
      await storage.errors.addOccurrences(updates);
    } catch (error) {
      logger.warn({ err: error }, 'could not write error record counts; they are kept for the next flush');
      for (const [i, w] of ready.entries()) w.pending += updates[i]?.count ?? 0;
      const stillOpen = new Set(open.values());
      closed.push(...ready.filter((w) => !stillOpen.has(w)));
    }
  }

  /** Writes the counts gathered since the last flush; flushes never overlap. */
  function flush(): Promise<void> {
    running = running.then(writeCounts);
    return running;
  }

  return {
    record,
    /**
     * An error answered while the database is unavailable (a 503): no write is attempted, the
     * record waits in memory (identical ones share it) and the outage is logged once, not per answer.
     */
    recordDuringOutage: (key: string, occurrence: () => ErrorOccurrence): RecordedError =>
      outage.refused(key, occurrence),
    flush,
    stats: (): ErrorRecorderStats => ({ ...stats, open: open.size, ...outage.stats() }),
    start() {
      if (timer) return;
      timer = setInterval(() => void flush(), flushIntervalMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = null;
      outage.stop();
      await flush();
    },
  };
}

export type ErrorRecorder = ReturnType<typeof createErrorRecorder>;

const isOutage = (error: unknown) => error instanceof KeywardError && error.code === 'DATABASE_UNAVAILABLE';

type OutageOptions = Required<Pick<ErrorRecorderOptions, 'storage' | 'now' | 'logger' | 'windowMs'>> & {
  maxDeferred: number;
  retryIntervalMs: number;
};

/**
 * A database outage as the logs and error records see it: one line when it begins, one when it
 * ends (with how many requests were refused); records wait in a bounded buffer and are written
 * when a retry finds the database back, so every id answered meanwhile resolves afterwards.
 */
function createOutageBuffer({ storage, now, logger, windowMs, maxDeferred, retryIntervalMs }: OutageOptions) {
  const waiting = new Map<string, ErrorRecord>();
  let since: number | null = null;
  let refusedCount = 0;
  let written = 0;
  let dropped = 0;
  let droppedThisOutage = 0;
  let timer: NodeJS.Timeout | null = null;
  let retrying = false;

  function begin(): void {
    if (since !== null) return;
    since = now();
    refusedCount = 0;
    droppedThisOutage = 0;
    logger.warn(
      'database unavailable: requests that need it are answered 503 with Retry-After until it is back',
    );
    timer ??= setInterval(() => void retry(), retryIntervalMs);
    timer.unref();
  }

  function keep(record: ErrorRecord, key: string = record.id): void {
    begin();
    if (waiting.size >= maxDeferred) {
      dropped++;
      droppedThisOutage++;
      return;
    }
    waiting.set(key, record);
  }

  async function retry(): Promise<void> {
    if (retrying) return;
    retrying = true;
    try {
      await storage.ping();
      for (const [key, record] of [...waiting]) {
        await storage.errors.create(record);
        waiting.delete(key);
        written++;
      }
      if (since !== null) {
        logger.info(
          { outageMs: now() - since, refused: refusedCount, droppedRecords: droppedThisOutage },
          'database available again',
        );
      }
      since = null;
      if (timer) clearInterval(timer);
      timer = null;
    } catch {
      // Still away: try again at the next interval.
    } finally {
      retrying = false;
    }
  }

  return {
    keep,
    refused(key: string, occurrence: () => ErrorOccurrence): RecordedError {
      begin();
      refusedCount++;
      const at = now();
      const current = waiting.get(key);
      if (current && withinCoalescingWindow(current.createdAt, at, windowMs)) {
        current.count++;
        current.lastSeenAt = at;
        return { id: current.id, stored: Promise.resolve(false) };
      }
      if (current) {
        // Its window is over: it keeps waiting under its own id, the new one takes the key.
        waiting.delete(key);
        waiting.set(current.id, current);
      }
      const id = newId('error', at);
      keep({ ...occurrence(), id, createdAt: at, count: 1, lastSeenAt: at }, key);
      return { id, stored: Promise.resolve(false) };
    },
    stats: () => ({ deferred: written, dropped, waiting: waiting.size }),
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
