import type { KeywardApi, UpdateReminderSettingsBody } from '@keyward/sdk';
import { type Command, Option } from 'commander';
import { connect } from '../context.ts';
import { usageError } from '../exit-codes.ts';
import { type Column, type ContextOf, field, printRow, type Row } from './resource.ts';

/** Reminders are looked for up to a year ahead: a wider threshold would never fire. */
const MAX_REMINDER_DAYS = 365;
const MAX_IDLE_DAYS = 3650;
const MAX_THRESHOLDS = 10;

const days = (n: unknown) => (n === 1 ? '1 day' : `${String(n)} days`);

const COLUMNS: Column[] = [
  ['PROJECT', field('project_id')],
  [
    'EXPIRY REMINDERS',
    (row) => {
      const list = row.expiry_reminder_days as number[];
      return list.length ? `${list.join(', ')} days before expiry` : 'none';
    },
  ],
  [
    'IDLE REVOCATION',
    (row) =>
      row.idle_revoke_days === null
        ? 'off'
        : `after ${days(row.idle_revoke_days)} unused, warned ${days(row.idle_reminder_days)} before`,
  ],
  ['LEAK ACTION', field('leak_action')],
];

type SetOptions = {
  expiryReminders?: string;
  idleRevokeDays?: string;
  idleReminderDays?: string;
  leakAction?: 'revoke' | 'notify';
};

function wholeDays(flag: string, text: string, max: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= max))
    throw usageError(`${flag}: expected a number of days from 1 to ${max}, got "${text}"`);
  return n;
}

function reminderList(text: string): number[] {
  if (text.trim() === 'none') return [];
  const list = text.split(',').map((d) => wholeDays('--expiry-reminders', d, MAX_REMINDER_DAYS));
  if (new Set(list).size !== list.length) throw usageError('--expiry-reminders: each day only once');
  if (list.length > MAX_THRESHOLDS) throw usageError(`--expiry-reminders: at most ${MAX_THRESHOLDS} days`);
  return list;
}

function reminderChanges(options: SetOptions): UpdateReminderSettingsBody {
  const { expiryReminders: expiry, idleRevokeDays: revoke, idleReminderDays: remind } = options;
  return {
    ...(expiry !== undefined && { expiry_reminder_days: reminderList(expiry) }),
    ...(revoke !== undefined && {
      idle_revoke_days: revoke === 'off' ? null : wholeDays('--idle-revoke-days', revoke, MAX_IDLE_DAYS),
    }),
    ...(remind !== undefined && {
      idle_reminder_days: wholeDays('--idle-reminder-days', remind, MAX_IDLE_DAYS),
    }),
  };
}

/** The warning must come before the revocation: checked against what the project has now. */
async function checkIdleOrder(api: KeywardApi, changes: UpdateReminderSettingsBody) {
  if (changes.idle_revoke_days === undefined && changes.idle_reminder_days === undefined) return;
  const next = { ...(await api.getReminderSettings()), ...changes };
  if (next.idle_revoke_days !== null && next.idle_reminder_days >= next.idle_revoke_days)
    throw usageError(
      `--idle-reminder-days (${next.idle_reminder_days}) must be less than --idle-revoke-days (${next.idle_revoke_days})`,
    );
}

/** Both settings of the caller's project, changing those given: reminders and the leak action. */
async function policies(
  api: KeywardApi,
  reminders: UpdateReminderSettingsBody,
  leak?: SetOptions['leakAction'],
) {
  const { project_id: id } = await api.getMe();
  const [settings, project] = await Promise.all([
    Object.keys(reminders).length ? api.updateReminderSettings(reminders) : api.getReminderSettings(),
    leak ? api.updateProject(id, { settings: { leak_action: leak } }) : api.getProject(id),
  ]);
  return { project_id: id, ...settings, leak_action: project.settings.leak_action } satisfies Row;
}

export function registerPolicies(program: Command, contextOf: ContextOf) {
  const group = program
    .command('policies')
    .description("the project's token policies: expiry reminders, idle revocation, leak response");

  group
    .command('show')
    .description('show the policies (needs tokens:read)')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      printRow(ctx, await policies(connect(ctx).api, {}), COLUMNS);
    });

  group
    .command('set')
    .description('change the policies given (needs projects:admin)')
    .option('--expiry-reminders <days>', 'days before expiry to remind, e.g. 14,7,1; none for no reminders')
    .option('--idle-revoke-days <days>', 'revoke tokens unused for this many days, or off')
    .option('--idle-reminder-days <days>', 'warn this many days before an idle revocation')
    .addOption(
      new Option('--leak-action <action>', 'a confirmed leak revokes the token, or only notifies').choices([
        'revoke',
        'notify',
      ]),
    )
    .action(async (options: SetOptions, command: Command) => {
      const ctx = contextOf(command);
      const reminders = reminderChanges(options);
      if (Object.keys(reminders).length === 0 && !options.leakAction)
        throw usageError('nothing to change; see --help');
      const { api } = connect(ctx);
      await checkIdleOrder(api, reminders);
      printRow(ctx, await policies(api, reminders, options.leakAction), COLUMNS);
    });
}
