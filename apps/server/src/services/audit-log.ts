import type { ProjectId, TokenId } from '@keyward/core';
import type { AuditActorType, AuditChange, AuditEvent, Repositories, Storage } from '@keyward/storage';
import type { FastifyRequest } from 'fastify';

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

export function createAuditLog({ storage, now }: { storage: Storage; now: () => number }) {
  return {
    /** Writes one event with the request's actor, address and user agent; `repos` joins a transaction. */
    record(
      request: FastifyRequest,
      entry: AuditEntry,
      repos: Pick<Repositories, 'audit'> = storage,
    ): Promise<AuditEvent> {
      const principal = request.principal;
      const actor =
        entry.actor ??
        (principal
          ? { type: principal.ownerType, id: principal.ownerId }
          : { type: 'anonymous' as const, id: null });
      return repos.audit.append(
        {
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
        },
        now(),
      );
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
