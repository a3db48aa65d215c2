import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  type ConsoleEnv,
  callWithToken,
  expectAccessible,
  expectSecretGone,
  readClipboard,
  screenshot,
  startConsole,
  takeSecretFromReveal,
} from './helpers.ts';

/** First run, sign in/out, the API Access key lifecycle (seed 004) and the language switch. */
describe('console: setup, sign-in, API Access, language', () => {
  let env: ConsoleEnv;
  let firstKey = '';

  beforeAll(async () => {
    env = await startConsole();
  });

  afterAll(async () => {
    await env?.close();
  });

  it('asks a fresh instance for the setup code, refuses a wrong one with its error id, then creates the admin', async () => {
    const { page, h } = env;
    await page.goto('/');
    await page.getByRole('heading', { name: 'Set up Keyward' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/setup');
    await expectAccessible(page, 'setup');
    await screenshot(page, 'setup');

    await page.getByLabel('Setup code').fill('0000-0000');
    await page.getByLabel('Administrator email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByLabel('Repeat the password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('The setup code is not correct', { exact: false }).waitFor();
    expect(await alert.getByTestId('error-id').textContent()).toMatch(/^err_[0-9a-z]{26}$/);

    await page.getByLabel('Setup code').fill(h.deps.setupCode ?? '');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'API Access', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/api-access');
    await page.getByText('You have no personal API key yet', { exact: false }).waitFor();
    await expectAccessible(page, 'API access (no key)');
  });

  it('signs out and back in; a wrong password is refused with an error id', async () => {
    const { page, context } = env;
    const cookie = (await context.cookies()).find((c) => c.name === 'kw_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect((await context.cookies()).some((c) => c.name === 'kw_session')).toBe(false);
    await expectAccessible(page, 'login');
    await screenshot(page, 'login');

    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('The email or password is not correct').waitFor();
    expect(await alert.getByTestId('error-id').textContent()).toMatch(/^err_/);

    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'API Access', level: 1 }).waitFor();
  });

  it('generates the personal key: shown once with copy and .env download, never again', async () => {
    const { page, base } = env;
    await page.getByRole('button', { name: 'Generate API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your new API key' });
    await dialog.waitFor();
    await expectAccessible(page, 'API key reveal dialog');

    // Escape does not close the reveal before "I have saved it".
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(true);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Download as .env' }).click(),
    ]);
    const envFile = readFileSync((await download.path()) ?? '', 'utf8');
    const shown = await dialog.getByLabel('Your API key').inputValue();
    expect(envFile).toBe(`KEYWARD_TOKEN=${shown}\n`);

    firstKey = await takeSecretFromReveal(page, 'Your API key');
    expect(firstKey).toBe(shown);
    // Focus returns to the page, not lost in the closed dialog.
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('BODY');

    await expectSecretGone(env, firstKey);
    expect((await callWithToken(base, firstKey)).status).toBe(200);

    await page.reload();
    await page.getByRole('button', { name: 'Regenerate API key' }).waitFor();
    const masked = await page.getByLabel('Your API key').inputValue();
    expect(masked).toContain('••••');
    expect(masked.endsWith(firstKey.slice(-4))).toBe(true);
    await expectSecretGone(env, firstKey);
    await expectAccessible(page, 'API access (masked key)');
    await screenshot(page, 'api-access');
  });

  it('regenerates after confirmation: the old key is refused at once, the new one works', async () => {
    const { page, base } = env;
    await page.getByRole('button', { name: 'Regenerate API key' }).click();
    const confirm = page.getByRole('dialog', { name: 'Regenerate your API key?' });
    await confirm.waitFor();
    await expectAccessible(page, 'regenerate confirmation');
    // Cancel with Escape first: nothing changes and focus returns to the button.
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Regenerate API key');
    expect((await callWithToken(base, firstKey)).status).toBe(200);

    await page.getByRole('button', { name: 'Regenerate API key' }).click();
    await confirm.getByRole('button', { name: 'Regenerate API key' }).click();
    await page.getByRole('dialog', { name: 'Your new API key' }).waitFor();
    const secondKey = await takeSecretFromReveal(page, 'Your API key');
    expect(secondKey).not.toBe(firstKey);
    expect(await readClipboard(page)).toBe(secondKey);
    await expectSecretGone(env, secondKey);

    const old = await callWithToken(base, firstKey);
    expect(old.status).toBe(401);
    expect((await callWithToken(base, secondKey)).status).toBe(200);
    expect((await page.getByLabel('Your API key').inputValue()).endsWith(secondKey.slice(-4))).toBe(true);
  });

  it('switches to German, keeps it across a reload, and stores only the language', async () => {
    const { page } = env;
    await page.getByLabel('Language').selectOption('de');
    await page.getByRole('heading', { name: 'API-Zugang', level: 1 }).waitFor();
    expect(await page.getByRole('button', { name: 'API-Schlüssel neu erzeugen' }).isVisible()).toBe(true);
    await page.reload();
    await page.getByRole('heading', { name: 'API-Zugang', level: 1 }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
    const stored = await page.evaluate(() => ({
      local: { ...window.localStorage },
      session: window.sessionStorage.length,
    }));
    expect(stored).toEqual({ local: { 'keyward.language': 'de' }, session: 0 });
    await expectAccessible(page, 'API access (German)');
    await screenshot(page, 'api-access-de');

    await page.getByLabel('Sprache').selectOption('en');
    await page.getByRole('heading', { name: 'API Access', level: 1 }).waitFor();
  });
});
