import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, sessionHeaders } from '../../../apps/server/test/harness.ts';
import { type ConsoleEnv, completeSetup, expectAccessible, startConsole } from './helpers.ts';

/** The token table tells the truth: an inactive owner, the role by name, admitted and refused apart. */
describe('console: token status, role and usage', () => {
  let env: ConsoleEnv;

  beforeAll(async () => {
    env = await startConsole();
    await completeSetup(env);
    const { h } = env;
    const session = await sessionHeaders(h);
    const api = (method: 'POST' | 'PATCH', url: string, body: unknown) =>
      call(h.app, method, url, null, body, session);
    const role = await api('POST', '/v1/roles', { name: 'miner', scopes: ['jobs:submit'] });
    const account = await api('POST', '/v1/service-accounts', { name: 'rig', role_id: role.body.id });
    const token = await api('POST', '/v1/tokens', {
      name: 'rig-token',
      role_id: role.body.id,
      service_account_id: account.body.id,
    });
    expect(token.status).toBe(201);
    for (const scopes of ['jobs:submit', 'jobs:submit', 'jobs:delete']) {
      await h.app.inject({
        method: 'GET',
        url: '/v1/authorize',
        headers: { authorization: `Bearer ${token.body.token}`, 'x-keyward-required-scopes': scopes },
      });
    }
    await h.deps.usage.flush();
    expect((await api('PATCH', `/v1/service-accounts/${account.body.id}`, { active: false })).status).toBe(
      200,
    );
  });

  afterAll(async () => {
    await env?.close();
  });

  it('lists the token of a deactivated service account as “Owner inactive”, with its role and both counts', async () => {
    const { page } = env;
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.getByRole('heading', { name: 'Tokens', level: 1 }).waitFor();
    await page.getByLabel('Status').selectOption('owner_inactive');
    await page.getByText('Showing 1 token').waitFor();
    const row = page.locator('tbody tr').first();
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('rig-token');
    expect(text).toContain('Owner inactive');
    expect(text).toContain('miner');
    expect(text).toContain('2 requests');
    expect(text).toContain('1 refused');
    await expectAccessible(page, 'tokens (owner inactive)');
    await page.getByLabel('Status').selectOption('active');
    await page.getByText('No tokens match.').waitFor();
  });
});
