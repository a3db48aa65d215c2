import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiSession,
  type ConsoleEnv,
  callWithToken,
  completeSetup,
  expectAccessible,
  screenshot,
  startConsole,
} from './helpers.ts';
import {
  expectActionsUsable,
  expectInViewport,
  expectNoPageScroll,
  type Language,
  type Size,
  settled,
  translate,
  watchConsole,
} from './layout-checks.ts';

const LONG_NAME = 'nightly-billing-export-to-the-data-warehouse-in-eu-central-1-with-retries';
const PAGES = [
  { path: '/overview', title: 'overview.title', shot: 'overview' },
  { path: '/api-access', title: 'api-access.title', shot: 'api-access' },
  { path: '/tokens', title: 'tokens.title', shot: 'tokens' },
  { path: '/service-accounts', title: 'sa.title', shot: 'service-accounts' },
  { path: '/members', title: 'members.title', shot: 'members' },
  { path: '/audit', title: 'audit.title', shot: 'audit' },
  { path: '/webhooks', title: 'webhooks.title', shot: 'webhooks' },
  { path: '/token-policies', title: 'policies.title', shot: 'token-policies' },
  { path: '/errors', title: 'errors.title', shot: 'error-lookup' },
] as const;
/** Screenshots for the README: a phone and a laptop. */
const SHOT_WIDTHS = new Set([390, 1280]);

/**
 * Every page and dialog at phone, tablet, laptop and desktop widths in English and German: no
 * page-level horizontal scroll, every control reachable and clickable, no console noise, axe clean.
 * The widths (SIZES in layout-checks.ts) are shared out over layout-*.test.ts, which vitest runs in
 * parallel workers; each file seeds its own server and browser.
 */
export function describeLayout(sizes: Size[]): void {
  describe(`console layout at ${sizes.map((s) => s.width).join(', ')} px`, () => {
    let env: ConsoleEnv;
    let signedIn: Awaited<ReturnType<BrowserContext['storageState']>>;

    beforeAll(async () => {
      env = await startConsole();
      await completeSetup(env);
      const api = await apiSession(env.base);
      expect((await api('POST', '/v1/me/api-key')).status).toBe(201);
      const account = await api('POST', '/v1/service-accounts', {
        name: 'warehouse-sync',
        role_id: ((await api('GET', '/v1/roles')).body?.data as { id: string; name: string }[]).find(
          (r) => r.name === 'accounting',
        )?.id,
      });
      expect(account.status).toBe(201);
      const long = await api('POST', '/v1/tokens', {
        name: LONG_NAME,
        description: 'Exports invoices every night; owned by the finance platform team',
        scopes: ['billing:read', 'usage:read', 'tokens:read'],
        expires_in_seconds: 3 * 86_400,
      });
      expect(long.status).toBe(201);
      const sa = await api('POST', '/v1/tokens', {
        name: 'warehouse-sync-token',
        service_account_id: account.body?.id,
        role_id: account.body?.role_id,
        expires_in_seconds: 90 * 86_400,
      });
      expect(sa.status).toBe(201);
      const retired = await api('POST', '/v1/tokens', { name: 'retired-job', scopes: ['jobs:read'] });
      for (let i = 0; i < 4; i++)
        expect((await callWithToken(env.base, String(long.body?.token))).status).toBe(200);
      expect((await callWithToken(env.base, String(retired.body?.token))).status).toBe(200);
      await api('POST', `/v1/tokens/${retired.body?.id}/revoke`, { reason: 'job retired' });
      for (let i = 0; i < 2; i++)
        expect((await callWithToken(env.base, String(retired.body?.token))).status).toBe(401);
      await env.h.deps.usage.flush();
      expect(
        (
          await api('POST', '/v1/invitations', {
            email: 'new.colleague@example.com',
            role_id: account.body?.role_id,
          })
        ).status,
      ).toBe(201);
      signedIn = await env.context.storageState();
    });

    afterAll(async () => {
      await env?.close();
    });

    async function open(size: Size, language: Language, state: typeof signedIn | undefined) {
      const context = await env.browser.newContext({
        baseURL: env.base,
        viewport: { width: size.width, height: size.height },
        hasTouch: size.touch,
        isMobile: size.touch && size.width < 700,
        locale: language === 'de' ? 'de-DE' : 'en-US',
        timezoneId: 'UTC',
        ...(state ? { storageState: state } : {}),
      });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.base });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return { context, page, problems: watchConsole(page) };
    }

    async function checkPage(page: Page, language: Language, what: string, shot?: string) {
      await settled(page, language);
      // Before the checks below scroll anything into view.
      if (shot) await screenshot(page, shot, { fullPage: true });
      await expectNoPageScroll(page, what);
      await expectActionsUsable(page.locator('body'), what);
      await expectAccessible(page, what);
    }

    const cases = sizes.flatMap((size) => (['en', 'de'] as const).map((language) => ({ size, language })));

    it.each(cases)('$size.width px, $language: sign-in page', async ({ size, language }) => {
      const { context, page, problems } = await open(size, language, undefined);
      try {
        await page.goto('/login');
        await page.getByRole('heading', { name: translate(language, 'login.title'), level: 1 }).waitFor();
        const shot = SHOT_WIDTHS.has(size.width) ? `login-${size.width}-${language}` : undefined;
        await checkPage(page, language, `${size.width} ${language} sign-in`, shot);
        // Signed out, the console's one question "is there a session?" is answered 401, which
        // Chromium always logs; anything else in the console is a failure.
        const sessionProbe = /Failed to load resource: .* 401 .*\/v1\/auth\/session\)$/;
        expect(problems.filter((p) => !sessionProbe.test(p))).toEqual([]);
      } finally {
        await context.close();
      }
    });

    it.each(cases)('$size.width px, $language: every page, the menu and the dialogs', async ({
      size,
      language,
    }) => {
      const t = (key: string) => translate(language, key);
      const { context, page, problems } = await open(size, language, signedIn);
      const at = `${size.width} ${language}`;
      try {
        for (const target of PAGES) {
          await page.goto(target.path);
          await page.getByRole('heading', { name: t(target.title), level: 1 }).waitFor();
          const shot = SHOT_WIDTHS.has(size.width) ? `${target.shot}-${size.width}-${language}` : undefined;
          await checkPage(page, language, `${at} ${target.path}`, shot);
        }

        // Phones and tablets: the navigation is behind the top bar's menu button.
        const menu = page.getByRole('button', { name: t('nav.menu'), exact: true });
        if (size.width <= 760) {
          await menu.click();
          const nav = page.getByRole('navigation', { name: t('nav.label') });
          await expectActionsUsable(nav, `${at} menu`);
          expect(await nav.getByRole('link').count()).toBe(PAGES.length);
          await expectActionsUsable(page.locator('.topbar'), `${at} menu tools`);
          await expectNoPageScroll(page, `${at} open menu`);
          await expectAccessible(page, `${at} open menu`);
          if (SHOT_WIDTHS.has(size.width)) await screenshot(page, `menu-${size.width}-${language}`);
          await nav.getByRole('link', { name: t('tokens.title') }).click();
          await page.getByRole('heading', { name: t('tokens.title'), level: 1 }).waitFor();
          expect(await nav.isVisible()).toBe(false);
        } else {
          expect(await menu.isVisible()).toBe(false);
          await page.goto('/tokens');
        }
        await settled(page, language);

        // The create dialog: its submit button is on screen; a missing name is said at the field.
        await page
          .getByRole('button', { name: t('tokens.create'), exact: true })
          .first()
          .click();
        const create = page.getByRole('dialog', { name: t('create.title') });
        await create.waitFor();
        await expectInViewport(
          create.getByRole('button', { name: t('create.submit') }),
          `${at} create submit`,
        );
        await create.getByRole('button', { name: t('create.submit') }).click();
        const name = create.getByLabel(t('create.name'), { exact: true });
        expect(await name.evaluate((el) => el === document.activeElement)).toBe(true);
        expect(await name.getAttribute('aria-invalid')).toBe('true');
        const message = create.getByText(t('create.name-required'));
        const [nameBox, messageBox] = [await name.boundingBox(), await message.boundingBox()];
        expect(
          messageBox && nameBox ? messageBox.y - (nameBox.y + nameBox.height) : -1,
        ).toBeGreaterThanOrEqual(0);
        expect(messageBox && nameBox ? messageBox.y - (nameBox.y + nameBox.height) : 99).toBeLessThan(40);
        if (SHOT_WIDTHS.has(size.width)) await screenshot(page, `create-token-${size.width}-${language}`);
        await expectNoPageScroll(page, `${at} create dialog`);
        await expectActionsUsable(create, `${at} create dialog`);
        await expectAccessible(page, `${at} create dialog`);
        await name.fill(`layout-${size.width}-${language}`);
        await create.getByLabel('tokens:read').check();
        await create.getByRole('button', { name: t('create.submit') }).click();

        // The reveal: the whole key readable, Copy a real button, the rest spaced out.
        const reveal = page.getByRole('dialog').filter({ has: page.getByLabel(t('reveal.field')) });
        await reveal.waitFor();
        const field = reveal.getByLabel(t('reveal.field'));
        const fits = await field.evaluate(
          (el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight + 1,
        );
        expect(fits, `${at} the whole key is visible`).toBe(true);
        expect(await field.evaluate((el) => getComputedStyle(el).fontFamily)).toMatch(/mono/i);
        const copy = reveal.getByRole('button', { name: t('copy-button-aria-label') });
        expect(await copy.getAttribute('class')).toContain('button-primary');
        await copy.click();
        await reveal.getByText(t('secret.copied')).waitFor();
        if (SHOT_WIDTHS.has(size.width)) await screenshot(page, `reveal-${size.width}-${language}`);
        await expectNoPageScroll(page, `${at} reveal dialog`);
        await expectActionsUsable(reveal, `${at} reveal dialog`);
        await expectAccessible(page, `${at} reveal dialog`);
        await reveal.getByLabel(t('secret.saved')).check();
        await reveal.getByRole('button', { name: t('secret.done') }).click();
        await reveal.waitFor({ state: 'hidden' });

        // A long name keeps its actions whole, and its details dialog shows its usage.
        const row = page.getByRole('row').filter({ hasText: LONG_NAME });
        await expectActionsUsable(row, `${at} long-named row`);
        await row
          .getByRole('button', { name: new RegExp(LONG_NAME) })
          .first()
          .click();
        const details = page.getByRole('dialog').filter({ hasText: LONG_NAME });
        await details.getByRole('application').waitFor();
        await settled(page, language);
        if (SHOT_WIDTHS.has(size.width)) await screenshot(page, `token-details-${size.width}-${language}`);
        await expectNoPageScroll(page, `${at} details dialog`);
        await expectActionsUsable(details, `${at} details dialog`);
        await expectAccessible(page, `${at} details dialog`);
        await details
          .getByRole('button', { name: t('dialog.close') })
          .last()
          .click();
        await details.waitFor({ state: 'hidden' });

        expect(problems, `${at} browser console`).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
}
