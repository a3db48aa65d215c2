import { DEFAULT_EXPIRY_REMINDER_DAYS, KeywardError } from '@keyward/core';
import { Type } from 'typebox';
import { diff } from '../../services/audit-log.ts';
import { reminderPolicy } from '../../services/reminders.ts';
import { type TokenNotice, tokenNotices } from '../../services/reminders-notices.ts';
import { principalOf, type Route } from '../context.ts';
import { iso } from '../present.ts';
import { Nullable, problemResponses, security, Timestamp } from '../schemas.ts';

const tags = ['webhooks'];
const Days = Type.Integer({ minimum: 1, maximum: 3650 });
/** Expiry reminders look at most a year ahead (services/reminders.ts). */
const ReminderDays = Type.Integer({ minimum: 1, maximum: 365 });

const SettingsView = Type.Object({
  expiry_reminder_days: Type.Array(Days, { description: 'Days before expiry at which a reminder is sent' }),
  idle_revoke_days: Nullable(Days),
  idle_reminder_days: Days,
});
const SettingsBody = Type.Object(
  {
    expiry_reminder_days: Type.Optional(Type.Array(ReminderDays, { maxItems: 10, uniqueItems: true })),
    idle_revoke_days: Type.Optional(Nullable(Days)),
    idle_reminder_days: Type.Optional(Days),
  },
  { additionalProperties: false, minProperties: 1 },
);
const NoticeView = Type.Object({
  kind: Type.Union([Type.Literal('expiring'), Type.Literal('idle')]),
  token_id: Type.String(),
  name: Type.String(),
  hint: Type.String(),
  owner_type: Type.String(),
  owner_id: Type.String(),
  at: Timestamp,
  days_left: Type.Integer(),
});
const Notices = Type.Object({ data: Type.Array(NoticeView) });

const presentNotice = (n: TokenNotice) => ({
  kind: n.kind,
  token_id: n.token.id,
  name: n.token.name,
  hint: n.token.hint,
  owner_type: n.token.ownerType,
  owner_id: n.token.ownerId,
  at: iso(n.at),
  days_left: n.daysLeft,
});

function presentSettings(settings: Parameters<typeof reminderPolicy>[0]) {
  const policy = reminderPolicy(settings);
  return {
    expiry_reminder_days: [...policy.expiryReminderDays].sort((a, b) => b - a),
    idle_revoke_days: policy.idleRevokeDays,
    idle_reminder_days: policy.idleReminderDays,
  };
}

export const reminderRoutes: Route = (app, { deps, auth }) => {
  app.get(
    '/v1/reminders/settings',
    {
      onRequest: auth(['tokens:read']),
      schema: {
        operationId: 'getReminderSettings',
        tags,
        summary: `Expiry reminder thresholds (default ${DEFAULT_EXPIRY_REMINDER_DAYS.join('/')} days) and the idle revocation policy`,
        security,
        response: { 200: SettingsView, ...problemResponses },
      },
    },
    async (request) => {
      const project = await deps.storage.projects.get(principalOf(request).projectId);
      if (!project) throw new KeywardError('NOT_FOUND', 'No such project');
      return presentSettings(project);
    },
  );

  app.patch(
    '/v1/reminders/settings',
    {
      config: { policy: 'project.update_reminders' },
      schema: {
        operationId: 'updateReminderSettings',
        tags,
        summary: 'Set the expiry reminder thresholds and "revoke tokens unused for N days" (null: never)',
        security,
        body: SettingsBody,
        response: { 200: SettingsView, ...problemResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const before = await deps.storage.projects.get(p.projectId);
      if (!before) throw new KeywardError('NOT_FOUND', 'No such project');
      const body = request.body;
      const settings = {
        ...before.settings,
        ...(body.expiry_reminder_days !== undefined && { expiryReminderDays: body.expiry_reminder_days }),
        ...(body.idle_revoke_days !== undefined && { idleRevokeDays: body.idle_revoke_days }),
        ...(body.idle_reminder_days !== undefined && { idleReminderDays: body.idle_reminder_days }),
      };
      const revokeAfter = settings.idleRevokeDays ?? null;
      if (
        body.idle_reminder_days !== undefined &&
        revokeAfter !== null &&
        body.idle_reminder_days >= revokeAfter
      )
        throw new KeywardError(
          'VALIDATION_FAILED',
          `idle_reminder_days (${body.idle_reminder_days}) must be fewer than idle_revoke_days (${revokeAfter})`,
        );
      const after = await deps.storage.projects.update(p.projectId, { settings }, deps.now());
      if (!after) throw new KeywardError('NOT_FOUND', 'No such project');
      await deps.audit.record(request, {
        action: 'project.reminders_updated',
        projectId: p.projectId,
        targetType: 'project',
        targetId: p.projectId,
        changes: diff(presentSettings(before), presentSettings(after)),
      });
      return presentSettings(after);
    },
  );

  app.get(
    '/v1/reminders',
    {
      onRequest: auth(['tokens:read']),
      schema: {
        operationId: 'listReminders',
        tags,
        summary: "Notices for the project's tokens: expiring soon, or about to be revoked as idle",
        security,
        response: { 200: Notices, ...problemResponses },
      },
    },
    async (request) => ({
      data: (await tokenNotices(deps.storage, principalOf(request).projectId, deps.now())).map(presentNotice),
    }),
  );

  app.get(
    '/v1/me/reminders',
    {
      onRequest: auth(),
      schema: {
        operationId: 'listMyReminders',
        tags,
        summary: 'Notices for the calling token (or, in the console, the signed-in user’s tokens)',
        security,
        response: { 200: Notices, ...problemResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const notices = await tokenNotices(deps.storage, p.projectId, deps.now());
      const mine = notices.filter((n) =>
        p.tokenId !== null
          ? n.token.id === p.tokenId
          : n.token.ownerType === p.ownerType && n.token.ownerId === p.ownerId,
      );
      return { data: mine.map(presentNotice) };
    },
  );
};
