import { idleDeadlines, type ProjectId } from '@keyward/core';
import type { ReminderCandidate, Storage } from '@keyward/storage';
import { idleKind, lastActiveAt, reminderPolicy } from './reminders.ts';

const DAY_MS = 86_400_000;

export type TokenNotice = {
  token: ReminderCandidate;
  kind: 'expiring' | 'idle';
  /** When the token expires, or when idle revocation will revoke it. */
  at: number;
  daysLeft: number;
};

/**
 * What the console and `keyward auth status` show: tokens inside their expiry reminder window and
 * tokens an idle revocation is coming for, soonest first. Read-only; sending is the reminders' job.
 */
export async function tokenNotices(
  storage: Storage,
  projectId: ProjectId,
  now: number,
): Promise<TokenNotice[]> {
  const project = await storage.projects.get(projectId);
  if (!project) return [];
  const policy = reminderPolicy(project);
  const notices: TokenNotice[] = [];
  const widest = Math.max(0, ...policy.expiryReminderDays);
  if (widest > 0) {
    for (const token of await storage.webhooks.tokensExpiring(now, now + widest * DAY_MS, projectId)) {
      const at = token.expiresAt as number;
      notices.push({ token, kind: 'expiring', at, daysLeft: Math.ceil((at - now) / DAY_MS) });
    }
  }
  if (policy.idleRevokeDays !== null) {
    const idle = { idleRevokeDays: policy.idleRevokeDays, idleReminderDays: policy.idleReminderDays };
    const candidates = await storage.webhooks.tokensIdleSince(
      projectId,
      now - (policy.idleRevokeDays - policy.idleReminderDays) * DAY_MS,
    );
    const sent = await storage.webhooks.remindersFor(candidates.map((t) => t.id));
    for (const token of candidates) {
      if (token.expiresAt !== null && token.expiresAt <= now) continue;
      const active = lastActiveAt(token);
      const { warnAt, revokeAt } = idleDeadlines(active, idle);
      if (now < warnAt) continue;
      const warning = sent.find((r) => r.tokenId === token.id && r.kind === idleKind(active));
      const at = warning ? warning.threshold : Math.max(revokeAt, now + policy.idleReminderDays * DAY_MS);
      notices.push({ token, kind: 'idle', at, daysLeft: Math.max(0, Math.ceil((at - now) / DAY_MS)) });
    }
  }
  return notices.sort((a, b) => a.at - b.at);
}
