import { describe, expect, it } from 'vitest';
import { call } from '../../server/test/harness.ts';
import { createToken, parseJson, useCli } from './helpers.ts';

const fx = useCli({ adminEnv: true });

type Policies = {
  project_id: string;
  expiry_reminder_days: number[];
  idle_revoke_days: number | null;
  idle_reminder_days: number;
  leak_action: string;
};

/** What the server holds, read past the CLI. */
async function onServer() {
  const { app, adminToken } = fx.server.h;
  const reminders = await call(app, 'GET', '/v1/reminders/settings', adminToken);
  const me = await call(app, 'GET', '/v1/me', adminToken);
  const project = await call(app, 'GET', `/v1/projects/${me.body.project_id}`, adminToken);
  return { ...reminders.body, leak_action: (project.body.settings as Policies).leak_action };
}

describe('keyward policies', () => {
  it('shows the defaults, sets every policy and shows what the server keeps', async () => {
    const shown = await fx.cli(['policies', 'show', '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(parseJson<Policies>(shown.stdout)).toMatchObject({
      expiry_reminder_days: [14, 7, 1],
      idle_revoke_days: null,
      leak_action: 'revoke',
    });

    const set = await fx.cli([
      'policies',
      'set',
      '--expiry-reminders',
      '30,7,1',
      '--idle-revoke-days',
      '90',
      '--idle-reminder-days',
      '14',
      '--leak-action',
      'notify',
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/expiry reminders:\s+30, 7, 1 days before expiry/);
    expect(set.stdout).toMatch(/idle revocation:\s+after 90 days unused, warned 14 days before/);
    expect(set.stdout).toMatch(/leak action:\s+notify/);
    expect(await onServer()).toEqual({
      expiry_reminder_days: [30, 7, 1],
      idle_revoke_days: 90,
      idle_reminder_days: 14,
      leak_action: 'notify',
    });

    const off = await fx.cli([
      'policies',
      'set',
      '--idle-revoke-days',
      'off',
      '--expiry-reminders',
      'none',
      '--json',
    ]);
    expect(off.code, off.stderr).toBe(0);
    expect(parseJson<Policies>(off.stdout)).toMatchObject({
      expiry_reminder_days: [],
      idle_revoke_days: null,
    });
    expect((await fx.cli(['policies', 'show'])).stdout).toMatch(/idle revocation:\s+off/);
  });

  it('refuses bad values as usage errors and changes nothing', async () => {
    const start = await fx.cli([
      'policies',
      'set',
      '--idle-revoke-days',
      '60',
      '--idle-reminder-days',
      '7',
      '--leak-action',
      'revoke',
    ]);
    expect(start.code, start.stderr).toBe(0);
    const before = await onServer();
    const bad: [string[], RegExp][] = [
      [['--expiry-reminders', '7,7'], /each day only once/],
      [['--expiry-reminders', '400'], /from 1 to 365, got "400"/],
      [['--expiry-reminders', '14,x'], /got "x"/],
      [['--idle-revoke-days', '0'], /--idle-revoke-days: expected a number of days/],
      [
        ['--idle-reminder-days', '60'],
        /--idle-reminder-days \(60\) must be less than --idle-revoke-days \(60\)/,
      ],
      [['--leak-action', 'delete'], /Allowed choices are revoke, notify/],
      [[], /nothing to change/],
    ];
    for (const [args, message] of bad) {
      const run = await fx.cli(['policies', 'set', ...args, '--json']);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    expect(await onServer()).toEqual(before);
  });

  it('lets a reader show the policies, and refuses a change without projects:admin (exit 3)', async () => {
    const { token } = await createToken(fx.server, { name: 'reader', scopes: ['tokens:read'] });
    const env = { KEYWARD_TOKEN: token };
    const shown = await fx.cli(['policies', 'show'], { env });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/leak action:\s+revoke/);
    const before = await onServer();
    const refused = await fx.cli(['policies', 'set', '--leak-action', 'notify', '--json'], { env });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^error: .+\(INSUFFICIENT_SCOPE, error id err_/);
    expect(parseJson<{ error: { status: number } }>(refused.stdout).error.status).toBe(403);
    expect(await onServer()).toEqual(before);
  });
});
