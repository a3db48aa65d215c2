import type { AuditKeys, ProjectId, TokenId } from '@keyward/core';
import type {
  AuditActorType,
  AuditChange,
  AuditEvent,
  AuditEventInput,
  Repositories,
  Storage,
} from '@keyward/storage';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

export type AuditEntry = {
  action: string;
  projectId: ProjectId | null;
  targetType: string | null;
  targetId: string | null;
  changes?: Record<string, AuditChange> | null;
  /** For events without an authenticated principal (logins, setup). */
  actor?: { type: AuditActorType; id: string | null };
};

/** Field-level before/after for the keys that changed; never pass secrets in. */
export function diff(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, AuditChange> {
  const changes: Record<string, AuditChange> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      changes[key] = { before: before[key], after: after[key] };
  }
  return changes;
}

function eventInput(request: FastifyRequest, entry: AuditEntry): AuditEventInput {
  const principal = request.principal;
  const actor =
    entry.actor ??
    (principal
      ? { type: principal.ownerType, id: principal.ownerId }
      : { type: 'anonymous' as const, id: null });
  return {
    actorType: actor.type,
    actorId: actor.id,
    viaTokenId: (principal?.tokenId ?? null) as TokenId | null,
    projectId: entry.projectId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    ip: request.ip ?? null,
    userAgent: (request.headers['user-agent'] ?? '').slice(0, 512) || null,
    changes: entry.changes ?? null,
  };
}

type Pending = { input: AuditEventInput; firstAt: number; count: number };

export type AuditLogOptions = {
  storage: Storage;
  now: () => number;
  keys: AuditKeys;
  logger: Logger;
  /** Repeats of one refusal by one actor within this window become one event with a count. */
  coalesceWindowMs: number;
  /** Distinct refusals kept pending at most; past it new ones lose their address (one event per action). */
  maxPending?: number;
};

/** The identity of a refusal: who, from where, what, on what. The user agent is not part of it. */
function coalesceKey(input: AuditEventInput): string {
  const { actorType, actorId, viaTokenId, projectId, action, targetType, targetId, ip, changes } = input;
  return JSON.stringify([
    actorType,
    actorId,
    viaTokenId,
    projectId,
    action,
    targetType,
    targetId,
    ip,
    changes,
  ]);
}

export function createAuditLog({
  storage,
  now,
  keys,
  logger,
  coalesceWindowMs,
  maxPending = 10_000,
}: AuditLogOptions) {
  const pending = new Map<string, Pending>();
  let sweeper: NodeJS.Timeout | null = null;
  // Writes run one after another, so a flush returns only once everything taken before it is stored.
  let writing: Promise<void> = Promise.resolve();

  async function write(entries: Pending[]): Promise<void> {
    for (const { input, firstAt, count } of entries) {
      try {
        await storage.audit.append({ ...input, count }, firstAt, keys);
      } catch (error) {
        logger.error({ err: error, action: input.action, count }, 'could not write a coalesced audit event');
      }
    }
  }

  function writeDue(everything: boolean): Promise<void> {
    const due = takeDue(everything);
    writing = writing.then(() => write(due));
    return writing;
  }

  /** Takes the refusals whose window has ended, or all of them (`everything`). */
  function takeDue(everything: boolean): Pending[] {
    const due: Pending[] = [];
    const cutoff = now() - coalesceWindowMs;
    for (const [key, entry] of pending) {
      if (everything || entry.firstAt <= cutoff) {
        due.push(entry);
        pending.delete(key);
      }
    }
    if (pending.size === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = null;
    }
    return due;
  }

  return {
    /** Writes one event with the request's actor, address and user agent; `repos` joins a transaction. */
    record(
      request: FastifyRequest,
      entry: AuditEntry,
      repos: Pick<Repositories, 'audit'> = storage,
    ): Promise<AuditEvent> {
      return repos.audit.append(eventInput(request, entry), now(), keys);
    },

    /**
     * Counts a refusal (failed sign-in, wrong setup code, CSRF failure, refused escalation, a
     * throttle): a flood by one actor within the window is one event whose `count` says how many.
     * Written when the window ends, when the log is read, and at shutdown; never awaited by the
     * answer, so refusing costs no database write.
     */
    refusal(request: FastifyRequest, entry: AuditEntry): void {
      let input = eventInput(request, entry);
      let key = coalesceKey(input);
      if (!pending.has(key) && pending.size >= maxPending) {
        input = {
          ...input,
          actorType: 'anonymous',
          actorId: null,
          viaTokenId: null,
          ip: null,
          userAgent: null,
        };
        key = coalesceKey(input);
      }
      const existing = pending.get(key);
      if (existing) existing.count++;
      else pending.set(key, { input, firstAt: now(), count: 1 });
      if (!sweeper) {
        sweeper = setInterval(() => void writeDue(false), Math.min(coalesceWindowMs, 5_000));
        sweeper.unref();
      }
    },

    /** Writes every pending refusal now (before the log is read or verified, and at shutdown). */
    flush: (): Promise<void> => writeDue(true),
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
