import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, sessionHeaders } from '../../../apps/server/test/harness.ts';
import {
  type ConsoleEnv,
  completeSetup,
  expectAccessible,
  expectSecretGone,
  startConsole,
} from './helpers.ts';

/** The Webhooks page: add an endpoint (secret once), see its delivery log, redeliver; token notices. */
describe('console: webhooks', () => {
  let env: ConsoleEnv;

  beforeAll(async () => {
    env = await startConsole();
    await completeSetup(env);
    // The receiver is on loopback: this server allows saving it (delivery to it stays refused).
    (env.h.deps.config as { webhookAllowPrivateTargets: boolean }).webhookAllowPrivateTargets = true;
    const session = await sessionHeaders(env.h);
    const soon = await call(
      env.h.app,
      'POST',
      '/v1/tokens',
      null,
      {
        name: 'deploy-bot',
        scopes: [],
        expires_in_seconds: 5 * 86_400,
      },
      session,
    );
    expect(soon.status).toBe(201);
  });

  afterAll(async () => {
    await env?.close();
  });

  it('adds an endpoint, shows its secret once, lists deliveries and redelivers', async () => {
    const { page, h } = env;
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByText(/deploy-bot \(.+\) expires in 5 days/).waitFor();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('URL').fill('http://127.0.0.1:9/hooks/keyward');
    await dialog.getByLabel('Events').fill('token.created, token.revoked');
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();
    const reveal = page.getByRole('dialog');
    const secret = await reveal.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await reveal.getByLabel('I have saved it').check();
    await reveal.getByRole('button', { name: 'Done' }).click();
    await reveal.waitFor({ state: 'hidden' });
    await expectSecretGone(env, secret);
    await page.getByText('http://127.0.0.1:9/hooks/keyward').waitFor();

    const session = await sessionHeaders(h);
    expect((await call(h.app, 'POST', '/v1/tokens', null, { name: 'x', scopes: [] }, session)).status).toBe(
      201,
    );
    expect(await h.deps.webhooks.dispatchDue()).toBe(1);
    await page.getByRole('button', { name: 'Deliveries' }).click();
    const log = page.getByRole('region', { name: 'Deliveries to http://127.0.0.1:9/hooks/keyward' });
    await log.getByText('token.created').waitFor();
    expect(await log.locator('tbody tr').first().textContent()).toContain('EPRIVATETARGET');
    await expectAccessible(page, 'webhooks');
    await log.getByRole('button', { name: 'Redeliver' }).click();
    await log.getByText('Pending').waitFor();
  });
});
