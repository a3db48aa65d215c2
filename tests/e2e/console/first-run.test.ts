import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type ConsoleEnv, startConsole } from './helpers.ts';

/** The signed-out pages: a refusal offers only what works without a session and goes on the next try. */
describe('console first run: error banners on the signed-out pages', () => {
  let env: ConsoleEnv;

  beforeAll(async () => {
    env = await startConsole();
  });

  afterAll(async () => {
    await env?.close();
  });

  it('a wrong setup code shows its error id without a lookup link, and the banner goes on the next submit', async () => {
    const { page, h } = env;
    await page.goto('/');
    await page.getByRole('heading', { name: 'Set up Keyward' }).waitFor();
    await page.getByLabel('Setup code').fill('0000-0000');
    await page.getByLabel('Administrator email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByLabel('Repeat the password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'The setup code is not correct' });
    await refusal.waitFor();
    expect(await refusal.getByTestId('error-id').textContent()).toMatch(/^err_[0-9a-z]{26}$/);
    expect(await refusal.getByRole('link').count()).toBe(0);

    // Corrected code, but a typo in the repeated password: only the form's own message remains.
    await page.getByLabel('Setup code').fill(h.deps.setupCode ?? '');
    await page.getByLabel('Repeat the password').fill(`${ADMIN_PASSWORD}!`);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('alert').filter({ hasText: 'The passwords do not match' }).waitFor();
    expect(await refusal.count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(1);

    await page.getByLabel('Repeat the password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'API Access', level: 1 }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('a refused sign-in offers no lookup link, and its banner goes when the form is sent again', async () => {
    const { page } = env;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'The email or password is not correct' });
    await refusal.waitFor();
    expect(await refusal.getByTestId('error-id').textContent()).toMatch(/^err_/);
    expect(await refusal.getByRole('link').count()).toBe(0);

    // The second attempt is held at the server until the banner has been checked: it must be gone
    // while the request is in flight, not only after a success replaces the page.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/v1/auth/login', async (route) => {
      await held;
      await route.continue();
    });
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Signing in…' }).waitFor();
    expect(await refusal.count()).toBe(0);
    release();
    await page.getByRole('heading', { name: 'API Access', level: 1 }).waitFor();
    await page.unroute('**/v1/auth/login');
  });

  it('inside the console the same kind of banner keeps its lookup link', async () => {
    const { page } = env;
    await page.goto('/errors/err_00000000000000000000000000');
    const banner = page.getByRole('alert');
    await banner.waitFor();
    await banner.getByTestId('error-id').waitFor();
    expect(await banner.getByRole('link', { name: 'Look up' }).count()).toBe(1);
  });
});
