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

const CONTROLS = 'button, a[href]:not(.skip-link), select, summary';
const MARK = 'data-layout-check';

/**
 * Every button, link, select and summary in `scope` can be brought into view (by scrolling the
 * page or its own container) and receives a click there (a disabled one: is on screen there), and
 * no button's label is cut off.
 *
 * One in-page pass does what Playwright's trial click does for each visible control: scroll it
 * into view (nearest, then end, center and start, as Playwright's retries do), take the centre of
 * its first box inside the viewport and ask `elementsFromPoint` whether the control itself (or
 * something inside it) is hit there. A control this pass finds unusable — or still moving — is
 * then tried once more the Playwright way (`click({ trial: true })`, which waits for it to be
 * stable), and only a failure there counts.
 */
export async function expectActionsUsable(scope: Locator, what: string): Promise<number> {
  const pass = await scope.evaluateAll(
    (roots, { selector, mark }) => {
      const visible = (el: Element) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility === 'visible';
      };
      const disabled = (el: Element) => el.matches(':disabled') || !!el.closest('[aria-disabled="true"]');
      const clickPoint = (el: Element) => {
        for (const r of el.getClientRects()) {
          const left = Math.max(r.left, 0);
          const right = Math.min(r.right, window.innerWidth);
          const top = Math.max(r.top, 0);
          const bottom = Math.min(r.bottom, window.innerHeight);
          if ((right - left) * (bottom - top) > 0.99) return { x: (left + right) / 2, y: (top + bottom) / 2 };
        }
        return undefined;
      };
      const onScreen = (el: Element) => {
        const r = el.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;
      };
      const hit = (el: Element) => {
        const point = clickPoint(el);
        if (!point) return false;
        const top = document.elementsFromPoint(point.x, point.y)[0];
        return !!top && (top === el || el.contains(top));
      };
      const aligns: ScrollLogicalPosition[] = ['nearest', 'end', 'center', 'start'];
      const controls = [...new Set(roots.flatMap((root) => [...root.querySelectorAll(selector)]))].filter(
        visible,
      );
      const failures: { index: number; name: string; problem: string }[] = [];
      controls.forEach((el, index) => {
        const name = el.getAttribute('aria-label') ?? (el as HTMLElement).innerText.trim();
        const off = disabled(el);
        let usable = false;
        for (const align of aligns) {
          el.scrollIntoView({ block: align, inline: align, behavior: 'instant' });
          if (off ? onScreen(el) : hit(el)) {
            usable = true;
            break;
          }
        }
        if (!usable) {
          el.setAttribute(mark, String(index));
          failures.push({ index, name, problem: off ? 'not on screen' : 'no click reaches it' });
        } else if (el.scrollWidth > el.clientWidth + 1) failures.push({ index, name, problem: 'clipped' });
      });
      return { count: controls.length, failures };
    },
    { selector: CONTROLS, mark: MARK },
  );

  const failures: string[] = [];
  for (const { index, name, problem } of pass.failures) {
    if (problem === 'clipped') {
      failures.push(`${name}: its label is cut off`);
      continue;
    }
    // Not reachable in the one pass (perhaps still animating): Playwright's own check decides.
    const control = scope.page().locator(`[${MARK}="${index}"]`);
    try {
      if (await control.isDisabled()) {
        await control.scrollIntoViewIfNeeded({ timeout: 3_000 });
        await expectInViewport(control, name);
      } else await control.click({ trial: true, timeout: 3_000 });
      if (await control.evaluate((el) => el.scrollWidth > el.clientWidth + 1))
        failures.push(`${name}: its label is cut off`);
    } catch (error) {
      failures.push(`${name}: ${problem}; ${(error as Error).message.split('\n')[0]}`);
    }
  }
  await scope
    .page()
    .evaluate((mark) => {
      for (const el of document.querySelectorAll(`[${mark}]`)) el.removeAttribute(mark);
    }, MARK)
    .catch(() => undefined);
  expect(failures, `${what}: controls that cannot be used`).toEqual([]);
  return pass.count;
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
