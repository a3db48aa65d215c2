import {
  type AuditKeys,
  crossedThresholds,
  DEFAULT_EXPIRY_REMINDER_DAYS,
  idleDeadlines,
  type ProjectId,
  type TokenId,
} from '@keyward/core';
import type { Project, ReminderCandidate, Repositories, Storage } from '@keyward/storage';
import type { Logger } from 'pino';
import type { Verifier } from './verifier.ts';
import { recordEvent, tokenEventData } from './webhook-events.ts';

const DAY_MS = 86_400_000;
/** A token that expired longer ago than this when reminders first ran gets no `token.expired`. */
const EXPIRED_LOOKBACK_MS = 7 * DAY_MS;

export type ReminderPolicy = {
  expiryReminderDays: number[];
  idleRevokeDays: number | null;
  idleReminderDays: number;
};

export function reminderPolicy(project: Pick<Project, 'settings'>): ReminderPolicy {
  const s = project.settings;
  const idleRevokeDays = s.idleRevokeDays ?? null;
  return {
    expiryReminderDays: s.expiryReminderDays ?? [...DEFAULT_EXPIRY_REMINDER_DAYS],
    idleRevokeDays,
    idleReminderDays: Math.min(s.idleReminderDays ?? 7, idleRevokeDays ?? 7),
  };
}

/** Reminder kinds name the state they are about: a new expiry (or new activity) re-arms them. */
export const expiringKind = (expiresAt: number) => `expiring@${expiresAt}`;
export const idleKind = (lastActiveAt: number) => `idle@${lastActiveAt}`;

export const lastActiveAt = (t: ReminderCandidate) =>
  Math.max(t.lastUsedAt ?? 0, t.lastRotatedAt ?? 0, t.createdAt);

export const rotatedKind = (expiresAt: number) => `rotated@${expiresAt}`;

/**
 * Expiry reminders ask the owner to rotate or replace the token (as GitLab's do). A rotation while
 * the token has this expiry answers them: its remaining reminders for this expiry are not sent.
 * A new expiry (an update) starts a new series. Call it in the rotation's transaction.
 */
export async function markRotated(
  tx: Pick<Repositories, 'webhooks'>,
  token: { id: TokenId; expiresAt: number | null },
  at: number,
): Promise<void> {
  if (token.expiresAt !== null) await tx.webhooks.markReminder(token.id, rotatedKind(token.expiresAt), 0, at);
}

export type RemindersOptions = {
  storage: Storage;
  now: () => number;
  logger: Logger;
  auditKeys: AuditKeys;
  verifier: Verifier;
  intervalMs: number;
};

/**
 * Expiry reminders, `token.expired`, idle warnings and idle revocation. Each fires exactly once per
 * token and threshold on any number of nodes and restarts: it is marked (a primary key) in the
 * transaction that queues its event, so a second node's mark finds the row and sends nothing.
 */
export function createReminders(options: RemindersOptions) {
  const { storage, now, logger } = options;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  async function projectPolicies(ids: Iterable<ProjectId>) {
    const policies = new Map<ProjectId, ReminderPolicy>();
    for (const id of ids) {
      const project = await storage.projects.get(id);
      if (project) policies.set(id, reminderPolicy(project));
    }
    return policies;
  }

  async function expiryReminders(at: number): Promise<void> {
    const widestDefault = 366;
    const tokens = await storage.webhooks.tokensExpiring(at, at + widestDefault * DAY_MS);
    const policies = await projectPolicies(new Set(tokens.map((t) => t.projectId)));
    const sent = await storage.webhooks.remindersFor(tokens.map((t) => t.id));
    for (const token of tokens) {
      const policy = policies.get(token.projectId);
      const expiresAt = token.expiresAt as number;
      if (!policy || policy.expiryReminderDays.length === 0) continue;
      if (sent.some((r) => r.tokenId === token.id && r.kind === rotatedKind(expiresAt))) continue;
      const crossed = crossedThresholds(expiresAt, at, policy.expiryReminderDays);
      const smallest = crossed.at(-1);
      if (smallest === undefined) continue;
      await storage.transaction(async (tx) => {
        const fresh: number[] = [];
        for (const days of crossed)
          if (await tx.webhooks.markReminder(token.id, expiringKind(expiresAt), days, at)) fresh.push(days);
        // Only the nearest threshold is worth a message; the wider ones it passed are marked done.
        if (!fresh.includes(smallest)) return;
        await recordEvent(
          tx,
          token.projectId,
          'token.expiring',
          {
            ...tokenEventData(token),
            threshold_days: smallest,
            days_left: Math.ceil((expiresAt - at) / DAY_MS),
          },
          at,
        );
      });
    }
  }

  async function expiredEvents(at: number): Promise<void> {
    const tokens = await storage.webhooks.tokensExpiring(at - EXPIRED_LOOKBACK_MS, at);
    for (const token of tokens) {
      await storage.transaction(async (tx) => {
        if (!(await tx.webhooks.markReminder(token.id, 'expired', token.expiresAt as number, at))) return;
        await recordEvent(tx, token.projectId, 'token.expired', tokenEventData(token), at);
      });
    }
  }

  async function autoRevoke(tx: Repositories, token: ReminderCandidate, policy: ReminderPolicy, at: number) {
    const reason = `idle: unused for ${policy.idleRevokeDays} days`;
    const revoked = await tx.tokens.revoke(token.projectId, token.id, reason, at);
    if (!revoked) return false;
    await options.verifier.invalidate({ tokenId: token.id }, tx);
    await tx.audit.append(
      {
        actorType: 'system',
        actorId: null,
        viaTokenId: null,
        projectId: token.projectId,
        action: 'token.auto_revoked',
        targetType: 'token',
        targetId: token.id,
        ip: null,
        userAgent: null,
        changes: { revoked_at: { after: at }, revoked_reason: { after: reason } },
      },
      at,
      options.auditKeys,
    );
    await recordEvent(tx, token.projectId, 'token.auto_revoked', { ...tokenEventData(token), reason }, at);
    return true;
  }

  /** Warns first; revokes only once the warning has had its K days (even if reminders ran late). */
  async function idleTokens(at: number, projectId: ProjectId, policy: ReminderPolicy): Promise<void> {
    if (policy.idleRevokeDays === null) return;
    const idle = { idleRevokeDays: policy.idleRevokeDays, idleReminderDays: policy.idleReminderDays };
    const candidates = await storage.webhooks.tokensIdleSince(
      projectId,
      at - (policy.idleRevokeDays - policy.idleReminderDays) * DAY_MS,
    );
    const sent = await storage.webhooks.remindersFor(candidates.map((t) => t.id));
    for (const token of candidates) {
      if (token.expiresAt !== null && token.expiresAt <= at) continue;
      const active = lastActiveAt(token);
      const { warnAt, revokeAt } = idleDeadlines(active, idle);
      if (at < warnAt) continue;
      const warning = sent.find((r) => r.tokenId === token.id && r.kind === idleKind(active));
      await storage.transaction(async (tx) => {
        if (warning) {
          if (at >= warning.threshold) await autoRevoke(tx, token, policy, at);
          return;
        }
        const plannedAt = Math.max(revokeAt, at + policy.idleReminderDays * DAY_MS);
        if (!(await tx.webhooks.markReminder(token.id, idleKind(active), plannedAt, at))) return;
        await recordEvent(
          tx,
          projectId,
          'token.idle_warning',
          {
            ...tokenEventData(token),
            last_used_at: token.lastUsedAt === null ? null : new Date(token.lastUsedAt).toISOString(),
            revoke_at: new Date(plannedAt).toISOString(),
            idle_days: policy.idleRevokeDays,
          },
          at,
        );
      });
    }
  }

  async function idleRevocation(at: number): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await storage.projects.list({ limit: 100, ...(cursor ? { cursor } : {}) });
      for (const project of page.items) {
        const policy = reminderPolicy(project);
        if (policy.idleRevokeDays !== null) await idleTokens(at, project.id, policy);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** One pass over everything due at `now()`; passes on one node run one at a time. */
  function runDue(): Promise<void> {
    running ??= (async () => {
      try {
        const at = now();
        await expiryReminders(at);
        await expiredEvents(at);
        await idleRevocation(at);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    runDue,
    start(): void {
      if (timer) return;
      timer = setInterval(() => {
        runDue().catch((error) => logger.error({ err: error }, 'token reminders failed'));
      }, options.intervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => {});
    },
  };
}

export type Reminders = ReturnType<typeof createReminders>;
