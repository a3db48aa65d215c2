import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSession, type ConsoleEnv, completeSetup, expectAccessible, startConsole } from './helpers.ts';
import { translate } from './layout-checks.ts';

const READER = 'reader@example.com';
const READER_PASSWORD = 'reader reads the policies';

/** The Token policies page: an administrator changes each policy; a reader only sees them. */
describe('console: token policies', () => {
  let env: ConsoleEnv;
  let api: Awaited<ReturnType<typeof apiSession>>;
  let projectId: string;

  beforeAll(async () => {
    env = await startConsole();
    await completeSetup(env);
    api = await apiSession(env.base);
    projectId = String((await api('GET', '/v1/auth/session')).body?.project_id);
    const role = await api('POST', '/v1/roles', { name: 'reader', scopes: ['tokens:read'] });
    expect(role.status).toBe(201);
    const member = await api('POST', '/v1/members', {
      email: READER,
      role_id: role.body?.id,
      password: READER_PASSWORD,
    });
    expect(member.status).toBe(201);
  });

  afterAll(async () => {
    await env?.close();
  });

  /** What the server holds, read through the API. */
  async function onServer() {
    const reminders = (await api('GET', '/v1/reminders/settings')).body as { expiry_reminder_days: number[] };
    const project = (await api('GET', `/v1/projects/${projectId}`)).body;
    return { ...reminders, leak_action: (project?.settings as { leak_action: string }).leak_action };
  }

  const sections = (page: Page) => ({
    reminders: page.getByRole('region', { name: 'Expiry reminders and idle revocation' }),
    leak: page.getByRole('region', { name: 'Leak response' }),
  });

  async function save(section: Locator) {
    await section.getByRole('button', { name: 'Save' }).click();
    await section.getByText('Saved.').waitFor();
  }

  async function openPolicies(page: Page) {
    await page.goto('/token-policies');
    await page.getByRole('heading', { name: 'Token policies', level: 1 }).waitFor();
    return sections(page);
  }

  it('changes each policy, keeps it over a reload, and the server has it', async () => {
    const { page } = env;
    await page.getByRole('link', { name: 'Token policies' }).click();
    const { reminders, leak } = sections(page);
    const expiry = reminders.getByLabel('Expiry reminders (days before expiry)');
    expect(await expiry.inputValue()).toBe('14, 7, 1');
    expect(await reminders.getByLabel('Off', { exact: true }).isChecked()).toBe(true);
    expect(await leak.getByLabel('Revoke the token').isChecked()).toBe(true);

    await expiry.fill('7, 30 1');
    await reminders.getByLabel('Revoke unused tokens').check();
    await reminders.getByLabel('Revoke after this many days without use').fill('90');
    await reminders.getByLabel('Warn this many days before').fill('14');
    await save(reminders);
    await leak.getByLabel('Notify only').check();
    await save(leak);
    await expectAccessible(page, 'token policies');

    const again = await openPolicies(page);
    expect(await again.reminders.getByLabel('Expiry reminders (days before expiry)').inputValue()).toBe(
      '30, 7, 1',
    );
    expect(await again.reminders.getByLabel('Revoke after this many days without use').inputValue()).toBe(
      '90',
    );
    expect(await again.reminders.getByLabel('Warn this many days before').inputValue()).toBe('14');
    expect(await again.leak.getByLabel('Notify only').isChecked()).toBe(true);
    expect(await onServer()).toEqual({
      expiry_reminder_days: [30, 7, 1],
      idle_revoke_days: 90,
      idle_reminder_days: 14,
      leak_action: 'notify',
    });

    await again.reminders.getByLabel('Off', { exact: true }).check();
    await save(again.reminders);
    await again.leak.getByLabel('Revoke the token').check();
    await save(again.leak);
    const off = await openPolicies(page);
    expect(await off.reminders.getByLabel('Off', { exact: true }).isChecked()).toBe(true);
    expect(await onServer()).toMatchObject({ idle_revoke_days: null, leak_action: 'revoke' });
  });

  it('says what is wrong at the field, focuses it and saves nothing', async () => {
    const { page } = env;
    const { reminders } = await openPolicies(page);
    const before = await onServer();
    const expiry = reminders.getByLabel('Expiry reminders (days before expiry)');
    const refused = async (field: Locator, message: string) => {
      await reminders.getByRole('button', { name: 'Save' }).click();
      await reminders.getByText(message).waitFor();
      expect(await field.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(await field.getAttribute('aria-invalid')).toBe('true');
      expect(await reminders.getByText('Saved.').count()).toBe(0);
    };

    await expiry.fill('14, 400');
    await refused(expiry, 'Enter whole numbers of days from 1 to 365, separated by commas.');
    await expiry.fill('14, 7, 14');
    await refused(expiry, 'Each day may appear only once.');
    await expiry.fill('14, 7');
    await reminders.getByLabel('Revoke unused tokens').check();
    await reminders.getByLabel('Revoke after this many days without use').fill('30');
    const warn = reminders.getByLabel('Warn this many days before');
    await warn.fill('30');
    await refused(
      warn,
      'Enter a whole number of days from 1 to 29, so that the warning comes before the revocation.',
    );
    expect(await expiry.getAttribute('aria-invalid')).toBeNull();
    await expectAccessible(page, 'token policies with a field error');
    expect(await onServer()).toEqual(before);
  });

  it('renders in German', async () => {
    const t = (key: string) => translate('de', key);
    const context = await env.browser.newContext({
      baseURL: env.base,
      locale: 'de-DE',
      storageState: await env.context.storageState(),
    });
    try {
      const page = await context.newPage();
      await page.goto('/token-policies');
      await page.getByRole('heading', { name: t('policies.title'), level: 1 }).waitFor();
      await page.getByRole('link', { name: t('nav.token-policies') }).waitFor();
      const reminders = page.getByRole('region', { name: t('policies.reminders-heading') });
      await reminders.getByLabel(t('policies.expiry')).waitFor();
      await reminders.getByLabel(t('policies.idle-on')).waitFor();
      const leak = page.getByRole('region', { name: t('policies.leak-heading') });
      await leak.getByLabel(t('policies.leak-notify')).waitFor();
      await leak.getByRole('button', { name: t('common.save') }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('shows a member without projects:admin the policies read-only', async () => {
    const context = await env.browser.newContext({ baseURL: env.base, locale: 'en-US' });
    try {
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel('Email').fill(READER);
      await page.getByLabel('Password').fill(READER_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'API Access', level: 1 }).waitFor();
      const { reminders, leak } = await openPolicies(page);
      await page
        .getByText('Only project administrators (projects:admin) can change these policies.')
        .waitFor();
      const expiry = reminders.getByLabel('Expiry reminders (days before expiry)');
      const { expiry_reminder_days: days } = await onServer();
      expect(await expiry.inputValue()).toBe(days.join(', '));
      expect(await expiry.isDisabled()).toBe(true);
      expect(await leak.getByLabel('Revoke the token').isChecked()).toBe(true);
      expect(await leak.getByLabel('Notify only').isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
      await expectAccessible(page, 'token policies, read-only');
    } finally {
      await context.close();
    }
  });
});
