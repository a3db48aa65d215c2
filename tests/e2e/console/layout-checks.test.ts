import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectActionsUsable } from './layout-checks.ts';

/** The layout test's control check fails where a click cannot reach a control. */
describe('expectActionsUsable', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 400, height: 300 } });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** The controls the check names as unusable (it throws a failed `toEqual([])` of them). */
  async function unusable(what: string): Promise<unknown> {
    try {
      await expectActionsUsable(page.locator('body'), what);
    } catch (error) {
      return (error as { actual?: unknown }).actual;
    }
    return 'passed';
  }

  it('passes reachable controls, including ones its own container scrolls to and a disabled one', async () => {
    await page.setContent(`
      <button>One</button> <a href="#x">Two</a> <button disabled>Off</button>
      <div style="height: 80px; overflow: auto"><div style="height: 400px"></div><button>Deep</button></div>
      <div style="height: 900px"></div><button>Far down</button>`);
    expect(await expectActionsUsable(page.locator('body'), 'fine')).toBe(5);
  });

  it('fails a button that an overlay covers', async () => {
    await page.setContent(`
      <button>Covered</button>
      <div style="position: fixed; inset: 0; background: white"></div>`);
    expect(await unusable('overlay')).toEqual([expect.stringMatching(/^Covered: no click reaches it; /)]);
  });

  it('fails a button placed where no scrolling reaches', async () => {
    await page.setContent('<button style="position: absolute; left: -500px">Unreachable</button>');
    expect(await unusable('off to the left')).toEqual([
      expect.stringMatching(/^Unreachable: no click reaches it; /),
    ]);
  });

  it('fails a button whose label is cut off', async () => {
    await page.setContent(
      '<button style="width: 40px; overflow: hidden; white-space: nowrap">A rather long label</button>',
    );
    expect(await unusable('cut label')).toEqual(['A rather long label: its label is cut off']);
  });
});
