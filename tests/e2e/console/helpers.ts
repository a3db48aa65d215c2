import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { type Harness, startHarness } from '../../../apps/server/test/harness.ts';

export const CONSOLE_DIR = fileURLToPath(new URL('../../../apps/console/dist', import.meta.url));
const CONSOLE_APP = fileURLToPath(new URL('../../../apps/console', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots', import.meta.url));

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct horse battery staple';

/** Builds the console once if no build exists (the root `npm test` builds before testing). */
export function ensureConsoleBuilt(): void {
  if (existsSync(`${CONSOLE_DIR}/index.html`)) return;
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: CONSOLE_APP, stdio: 'inherit' });
}

export type ConsoleEnv = {
  h: Harness;
  base: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
};

/** A real server on SQLite serving the built console, and one Chromium page against it. */
export async function startConsole(): Promise<ConsoleEnv> {
  ensureConsoleBuilt();
  const h = await startHarness({ empty: true, config: { consoleDir: CONSOLE_DIR } });
  const base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({
    baseURL: base,
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: 'UTC',
    acceptDownloads: true,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return {
    h,
    base,
    browser,
    context,
    page,
    close: async () => {
      await browser.close();
      await h.close();
    },
  };
}

/** First-run setup through the console, as the first administrator would do it. */
export async function completeSetup(env: ConsoleEnv): Promise<void> {
  const { page, h } = env;
  await page.goto('/');
  await page.getByRole('heading', { name: 'Set up Keyward' }).waitFor();
  await page.getByLabel('Setup code').fill(h.deps.setupCode ?? '');
  await page.getByLabel('Administrator email').fill(ADMIN_EMAIL);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByLabel('Repeat the password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await page.getByRole('heading', { name: 'API Access', level: 1 }).waitFor();
}

/**
 * axe-core in the real page: no serious or critical violation. All of axe's rules run; only the
 * violations are collected (`resultTypes`). A page without iframes is checked by `axe.run` in the
 * page itself (legacy mode): the default mode runs the same rules per frame and then opens a blank
 * page to merge the frames' results, which for a single frame only costs time.
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .options({ resultTypes: ['violations'] })
    .setLegacyMode(page.frames().length === 1)
    .analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(summary, `accessibility violations on ${what}`).toEqual([]);
}

export async function screenshot(page: Page, name: string, { fullPage = false } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage });
}

/** The secret must be nowhere the page keeps things once the reveal dialog is closed. */
export async function expectSecretGone(env: ConsoleEnv, secret: string): Promise<void> {
  expect(secret.length).toBeGreaterThan(20);
  const html = await env.page.content();
  expect(html.includes(secret), 'secret in the DOM').toBe(false);
  const storage = await env.page.evaluate(() => {
    const all: string[] = [];
    for (const store of [window.localStorage, window.sessionStorage]) {
      for (let i = 0; i < store.length; i++) {
        const key = store.key(i) ?? '';
        all.push(key, store.getItem(key) ?? '');
      }
    }
    return all;
  });
  expect(
    storage.some((v) => v.includes(secret)),
    'secret in web storage',
  ).toBe(false);
  const cookies = await env.context.cookies();
  expect(
    cookies.some((c) => c.value.includes(secret) || c.name.includes(secret)),
    'secret in a cookie',
  ).toBe(false);
}

/** Calls the API from Node with a token, as an integration would. */
export async function callWithToken(base: string, token: string, path = '/v1/me') {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  return { status: res.status, body };
}

export async function readClipboard(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

/** Reads the secret from the open reveal dialog, copies it, checks the clipboard, and confirms saving. */
export async function takeSecretFromReveal(page: Page, fieldLabel: string): Promise<string> {
  const dialog = page.getByRole('dialog');
  const secret = await dialog.getByLabel(fieldLabel).inputValue();
  await dialog.getByRole('button', { name: 'Copy the key to the clipboard' }).click();
  await dialog.getByText('Copied to the clipboard.').first().waitFor();
  expect(await readClipboard(page)).toBe(secret);
  const done = dialog.getByRole('button', { name: 'Done' });
  expect(await done.isDisabled()).toBe(true);
  await dialog.getByLabel('I have saved it').check();
  await done.click();
  await dialog.waitFor({ state: 'hidden' });
  return secret;
}

/** A signed-in API session from Node (cookie + CSRF), to seed many tokens quickly through the real API. */
export async function apiSession(base: string) {
  const res = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrf_token: csrf } = (await res.json()) as { csrf_token: string };
  return async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrf, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: (await r.json().catch(() => null)) as Record<string, unknown> | null };
  };
}
