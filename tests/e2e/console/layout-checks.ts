import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import de from '../../../apps/console/src/i18n/de.json' with { type: 'json' };
import en from '../../../apps/console/src/i18n/en.json' with { type: 'json' };

const MESSAGES = { en, de } as Record<'en' | 'de', Record<string, string>>;
export type Language = keyof typeof MESSAGES;

/** The console's text for a key; a key missing from the language's file fails the test, naming it. */
export function translate(language: Language, key: string): string {
  const text = MESSAGES[language][key];
  if (text === undefined) throw new Error(`apps/console/src/i18n/${language}.json has no "${key}"`);
  return text;
}

export type Size = { width: number; height: number; touch: boolean };
export const SIZES: Size[] = [
  { width: 360, height: 740, touch: true },
  { width: 390, height: 844, touch: true },
  { width: 768, height: 1024, touch: true },
  { width: 1024, height: 768, touch: false },
  { width: 1280, height: 800, touch: false },
  { width: 1920, height: 1080, touch: false },
];

/** Every browser-console error or warning and every uncaught exception of a page. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return problems;
}

/** Waits until no table is busy and no "Loading…" is shown. */
export async function settled(page: Page, language: Language): Promise<void> {
  const loading = translate(language, 'common.loading');
  await page.waitForFunction(
    (text) =>
      !document.querySelector('[aria-busy="true"]') &&
      ![...document.querySelectorAll('output')].some((o) => o.textContent?.includes(text)),
    loading,
  );
}

/** No page-level horizontal scroll: the document is never wider than the window. */
export async function expectNoPageScroll(page: Page, what: string): Promise<void> {
  const widths = await page.evaluate(() => ({
    document: document.documentElement.scrollWidth,
    scrolling: document.scrollingElement?.scrollWidth ?? 0,
    window: window.innerWidth,
  }));
  expect(widths.document, `${what}: page width ${widths.document} > ${widths.window}`).toBeLessThanOrEqual(
    widths.window,
  );
  expect(widths.scrolling, `${what}: scrolling element`).toBeLessThanOrEqual(widths.window);
}

/**
 * Every button, link, select and summary in `scope` can be brought into view (by scrolling the
 * page or its own container) and receives a click there (a disabled one: is on screen there), and
 * no button's label is cut off.
 */
export async function expectActionsUsable(scope: Locator, what: string): Promise<number> {
  const controls = scope.locator(
    'button:visible, a[href]:not(.skip-link):visible, select:visible, summary:visible',
  );
  const count = await controls.count();
  const failures: string[] = [];
  for (let i = 0; i < count; i++) {
    const control = controls.nth(i);
    const name = (await control.getAttribute('aria-label')) ?? (await control.innerText()).trim();
    try {
      // A disabled control (Done before "I have saved it") must still be in reach and on screen.
      if (await control.isDisabled()) {
        await control.scrollIntoViewIfNeeded({ timeout: 3_000 });
        await expectInViewport(control, name);
      } else await control.click({ trial: true, timeout: 3_000 });
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    const clipped = await control.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
    if (clipped) failures.push(`${name}: its label is cut off`);
  }
  expect(failures, `${what}: controls that cannot be used`).toEqual([]);
  return count;
}

/** The element is inside the viewport without any scrolling. */
export async function expectInViewport(locator: Locator, what: string): Promise<void> {
  const box = await locator.boundingBox();
  const viewport = locator.page().viewportSize();
  expect(box, `${what}: has a box`).not.toBeNull();
  if (!box || !viewport) return;
  expect(box.y, `${what}: top`).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height, `${what}: bottom within ${viewport.height}`).toBeLessThanOrEqual(
    viewport.height,
  );
  expect(box.x + box.width, `${what}: right within ${viewport.width}`).toBeLessThanOrEqual(viewport.width);
}
