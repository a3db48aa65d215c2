import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiSession,
  type ConsoleEnv,
  callWithToken,
  completeSetup,
  expectAccessible,
  startConsole,
} from './helpers.ts';
import { settled } from './layout-checks.ts';

const HOUR = 3_600_000;

/** The chart's table alternative as { hour start (ISO) → { column header → cell text } }. */
async function chartTable(scope: Locator): Promise<Record<string, Record<string, string>>> {
  await scope.getByText('Show as table').click();
  const table = scope.locator('details[open] table');
  await table.waitFor();
  return table.evaluate((el) => {
    const headers = [...el.querySelectorAll('thead th')].map((th) => th.textContent?.trim() ?? '');
    const rows: Record<string, Record<string, string>> = {};
    for (const tr of el.querySelectorAll('tbody tr')) {
      const when = tr.querySelector('time')?.getAttribute('datetime') ?? '';
      const cells = [...tr.children].map((c) => c.textContent?.trim() ?? '');
      rows[when] = Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? '']));
    }
    return rows;
  });
}

/** What the usage API really sends, drawn and tabled: 5 admitted and 3 refused requests. */
describe('console: usage charts from the real API', () => {
  let env: ConsoleEnv;
  let hour = '';

  beforeAll(async () => {
    env = await startConsole();
    await completeSetup(env);
    const api = await apiSession(env.base);
    const created = await api('POST', '/v1/tokens', { name: 'metered-client', scopes: ['data:read'] });
    expect(created.status).toBe(201);
    const secret = String(created.body?.token);
    for (let i = 0; i < 5; i++) expect((await callWithToken(env.base, secret)).status).toBe(200);
    expect((await api('POST', `/v1/tokens/${created.body?.id}/revoke`, {})).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await callWithToken(env.base, secret)).status).toBe(401);
    await env.h.deps.usage.flush();
    hour = new Date(Math.floor(Date.now() / HOUR) * HOUR).toISOString();
  });

  afterAll(async () => {
    await env?.close();
  });

  async function openDetails(page: Page): Promise<Locator> {
    await page.goto('/tokens');
    await page.getByRole('heading', { name: 'Tokens', level: 1 }).waitFor();
    await settled(page, 'en');
    await page.getByRole('button', { name: 'Details of metered-client' }).click();
    const dialog = page.getByRole('dialog', { name: 'Token "metered-client"' });
    await dialog
      .getByRole('application', { name: /5 admitted and 3 refused requests in the Last 24 hours/ })
      .waitFor();
    return dialog;
  }

  it("a token's chart: admitted and revoked requests under their outcome and hour, with a legend", async () => {
    const { page } = env;
    const dialog = await openDetails(page);
    const legend = dialog.getByRole('list', { name: 'Outcomes' });
    expect(await legend.getByRole('listitem').allTextContents()).toEqual(['Admitted5', 'Revoked3']);
    const rows = await chartTable(dialog);
    expect(rows).toEqual({
      [hour]: { Hour: expect.stringContaining('2026'), Admitted: '5', Revoked: '3', Total: '8' },
    });
    // The time axis names hours, not bucket numbers.
    const axis = await dialog.locator('.chart .recharts-xAxis-tick-labels text').allTextContents();
    expect(axis.some((label) => /^\d{1,2}:\d{2}( [AP]M)?$/.test(label))).toBe(true);
    expect(await dialog.getByText('Admitted').first().isVisible()).toBe(true);

    // Keyboard: the chart takes focus, the arrow keys walk the hours and the tooltip names each.
    const tooltip = dialog.locator('.recharts-default-tooltip');
    await dialog.getByRole('application').focus();
    for (let i = 0; i < 30 && !(await tooltip.textContent())?.includes('Admitted : 5'); i++) {
      const before = await tooltip.locator('.recharts-tooltip-label').textContent();
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => tooltip.locator('.recharts-tooltip-label').textContent()).not.toBe(before);
    }
    expect(await tooltip.textContent()).toContain('Revoked : 3');
    expect(await tooltip.getAttribute('aria-live')).toBe('assertive');
    await expectAccessible(page, 'token usage chart');

    await dialog.getByRole('button', { name: 'Last 30 days' }).click();
    await dialog.getByRole('application', { name: /in the Last 30 days/ }).waitFor();
    const daily = await dialog
      .locator('details table')
      .evaluate((el) =>
        [...el.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent?.trim())),
      );
    expect(daily).toEqual([[expect.stringContaining('2026'), '5', '3', '8']]);
  });

  it('the project overview: requests by outcome, the busiest token and refusals by code', async () => {
    const { page } = env;
    await page.goto('/overview');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const requests = page.getByRole('region', { name: 'Requests by outcome' });
    await requests.getByRole('application', { name: /5 admitted and 3 refused/ }).waitFor();
    const rows = await chartTable(requests);
    expect(rows[hour]).toMatchObject({ Admitted: '5', Revoked: '3', Total: '8' });
    const busiest = page.getByRole('region', { name: 'Busiest tokens' });
    expect(await busiest.getByRole('listitem').first().textContent()).toContain('metered-client');
    expect(await busiest.getByRole('listitem').first().textContent()).toContain('5 admitted · 3 refused');
    const refusals = page.getByRole('region', { name: 'Refusals by code' });
    expect((await refusals.getByRole('listitem').allTextContents()).map((s) => s.trim())).toEqual([
      'Revoked REVOKED3',
    ]);
    await expectAccessible(page, 'overview');
  });
});
