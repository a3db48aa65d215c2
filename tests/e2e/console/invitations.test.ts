import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleEnv,
  completeSetup,
  expectAccessible,
  expectSecretGone,
  screenshot,
  startConsole,
  takeSecretFromReveal,
} from './helpers.ts';

const NEWBIE = 'newbie@example.com';
const NEWBIE_PASSWORD = 'newbie chose this password';

/** Invite in the admin's browser, redeem in a second, signed-out one, then sign in there. */
describe('console: members join by invitation', () => {
  let env: ConsoleEnv;
  let invitee: BrowserContext;
  let page2: Page;

  beforeAll(async () => {
    env = await startConsole();
    await completeSetup(env);
    invitee = await env.browser.newContext({ baseURL: env.base, locale: 'en-US', timezoneId: 'UTC' });
    page2 = await invitee.newPage();
    page2.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await invitee?.close();
    await env?.close();
  });

  async function inviteFromConsole(email: string): Promise<string> {
    const { page } = env;
    await page.getByRole('button', { name: 'Invite member' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite a member' });
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByLabel('Role').selectOption({ label: 'accounting' });
    await dialog.getByRole('button', { name: 'Create invitation' }).click();
    await page.getByRole('dialog', { name: 'Invitation link' }).waitFor();
    return takeSecretFromReveal(page, 'Link to give the invitee');
  }

  it('invite → redeem in a second browser → the new member signs in with its own password', async () => {
    const { page, base } = env;
    await page.getByRole('link', { name: 'Members & roles' }).click();
    await page.getByRole('heading', { name: 'Pending invitations' }).waitFor();
    await page.getByText('No pending invitations.').waitFor();
    const link = await inviteFromConsole(NEWBIE);
    expect(link).toMatch(new RegExp(`^${base}/invite#kwinv_[0-9A-Za-z]{43}$`));
    await expectSecretGone(env, link.split('#')[1] ?? '');
    await page.getByRole('row').filter({ hasText: NEWBIE }).waitFor();
    await expectAccessible(page, 'members with a pending invitation');
    await screenshot(page, 'invitations');

    await page2.goto(link);
    await page2.getByRole('heading', { name: 'Join a project' }).waitFor();
    await page2
      .getByText(`You are invited as ${NEWBIE} to the project default with the role accounting.`)
      .waitFor();
    expect(page2.url()).toBe(`${base}/invite`); // the code left the address bar
    await page2.getByLabel('I am new to Keyward').check();
    await page2.getByLabel('Name').fill('New Bie');
    await page2.getByLabel('Choose a password').fill(NEWBIE_PASSWORD);
    await page2.getByLabel('Repeat the password').fill(NEWBIE_PASSWORD);
    await expectAccessible(page2, 'invitation page');
    await screenshot(page2, 'invitation-redeem');
    await page2.getByRole('button', { name: 'Join the project' }).click();
    await page2.getByRole('heading', { name: 'Welcome' }).waitFor();
    await page2.getByRole('button', { name: 'Sign in' }).click();

    await page2.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page2.getByLabel('Email').fill(NEWBIE);
    await page2.getByLabel('Password').fill(NEWBIE_PASSWORD);
    await page2.getByRole('button', { name: 'Sign in' }).click();
    await page2.getByRole('heading', { name: 'API Access', level: 1 }).waitFor();
    const session = await page2.evaluate(async () => (await fetch('/v1/auth/session')).json());
    expect(session.user.email).toBe(NEWBIE);
    expect(session.scopes).toEqual(['billing:read', 'usage:read']);

    // The admin sees the new member, and the invitation is no longer pending.
    await page.reload();
    await page.getByRole('row').filter({ hasText: 'New Bie' }).waitFor();
    await page.getByText('No pending invitations.').waitFor();

    // The link worked once.
    await page2.goto(link);
    await page2.getByText('The invitation is unknown, expired, used or revoked').first().waitFor();
  }, 120_000);

  it('a revoked invitation stops working', async () => {
    const { page } = env;
    const link = await inviteFromConsole('later@example.com');
    await page.getByRole('button', { name: 'Revoke the invitation for later@example.com' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke the invitation for later@example.com?' });
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.getByText('No pending invitations.').waitFor();
    await page2.goto(link);
    await page2.getByText('The invitation is unknown, expired, used or revoked').first().waitFor();
  }, 60_000);
});
