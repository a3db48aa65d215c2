import { it } from 'vitest';
import { apiSession, completeSetup, startConsole } from './helpers.ts';

it('debug widths', async () => {
  const env = await startConsole();
  await completeSetup(env);
  const api = await apiSession(env.base);
  await api('POST', '/v1/tokens', {
    name: 'nightly-billing-export-to-the-data-warehouse-in-eu-central-1-with-retries',
    scopes: ['tokens:read', 'billing:read'],
  });
  for (const w of [1280, 390]) {
    await env.page.setViewportSize({ width: w, height: 800 });
    await env.page.goto('/tokens');
    await env.page.getByRole('heading', { name: 'Tokens', level: 1 }).waitFor();
    await env.page.waitForTimeout(500);
    const out = await env.page.evaluate(() => {
      const res: string[] = [`doc ${document.documentElement.scrollWidth}`];
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > window.innerWidth + 1 && el.closest('.table-wrap') === null)
          res.push(`${el.tagName}.${el.className} right=${Math.round(r.right)} w=${Math.round(r.width)}`);
      }
      const tw = document.querySelector('.table-wrap');
      if (tw) res.push(`table-wrap ${tw.clientWidth} / ${tw.scrollWidth}`);
      return res.slice(0, 30);
    });
    console.log(w, out.join('\n'));
  }
  await env.close();
});
