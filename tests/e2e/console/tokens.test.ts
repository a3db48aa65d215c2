import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_EMAIL,
  apiSession,
  type ConsoleEnv,
  callWithToken,
  completeSetup,
  expectAccessible,
  expectSecretGone,
  screenshot,
  startConsole,
  takeSecretFromReveal,
} from './helpers.ts';

/** Tokens (create, reveal, revoke, rotate, filters, paging), service accounts, members/roles, audit, errors. */
describe('console: tokens and project administration', () => {
  let env: ConsoleEnv;
  let revokedErrorId = '';

  beforeAll(async () => {
    env = await startConsole();
    await completeSetup(env);
  });

  afterAll(async () => {
    await env?.close();
  });

  it('creates a token with a scope and an expiry, reveals it once, then revokes it and the API refuses it', async () => {
    const { page, base } = env;
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.getByRole('heading', { name: 'Tokens', level: 1 }).waitFor();
    await page.getByText('No tokens match.').waitFor();
    await expectAccessible(page, 'tokens (empty)');

    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a token' });
    await dialog.waitFor();
    await dialog.getByLabel('Name').fill('billing-exporter');
    await dialog.getByLabel('Description').fill('Nightly export to the billing system');
    await dialog.getByLabel('tokens:read').check();
    await dialog.getByLabel('7 days').check();
    await expectAccessible(page, 'create token dialog');
    await page.locator('dialog[open]').evaluate((el) => el.scrollTo(0, 0));
    await screenshot(page, 'create-token');
    await dialog.getByRole('button', { name: 'Create token' }).click();

    await page.getByRole('dialog', { name: 'Token "billing-exporter" created' }).waitFor();
    await expectAccessible(page, 'token reveal dialog');
    const secret = await takeSecretFromReveal(page, 'Token secret');
    await expectSecretGone(env, secret);

    const row = page.getByRole('row').filter({ hasText: 'billing-exporter' });
    await row.getByText('Expiring soon').waitFor();
    expect(await row.getByText('tokens:read').isVisible()).toBe(true);
    expect(await row.getByText(ADMIN_EMAIL).isVisible()).toBe(true);

    const me = await callWithToken(base, secret);
    expect(me.status).toBe(200);
    expect(me.body?.scopes).toEqual(['tokens:read']);

    await row.getByRole('button', { name: 'Revoke billing-exporter' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke "billing-exporter"?' });
    await confirm.getByLabel('Reason (optional)').fill('exporter retired');
    await expectAccessible(page, 'revoke dialog');
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await row.getByText('Revoked').waitFor();

    const refused = await callWithToken(base, secret);
    expect(refused.status).toBe(401);
    revokedErrorId = String(refused.body?.error_id ?? '');
    expect(revokedErrorId).toMatch(/^err_/);
    await expectSecretGone(env, secret);
  });

  it('rotates a token with a grace choice and shows the new secret in the same reveal dialog', async () => {
    const { page, base } = env;
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a token' });
    await dialog.getByLabel('Name').fill('ci-deploy');
    await dialog.getByLabel('A role').check();
    await dialog
      .getByLabel('Role', { exact: true })
      .selectOption({ label: 'accounting — billing:read usage:read' });
    await dialog.getByLabel('90 days').check();
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const first = await takeSecretFromReveal(page, 'Token secret');

    const row = page.getByRole('row').filter({ hasText: 'ci-deploy' });
    expect(await row.getByText('accounting').isVisible()).toBe(true);
    await row.getByRole('button', { name: 'Rotate ci-deploy' }).click();
    const confirm = page.getByRole('dialog', { name: 'Rotate "ci-deploy"?' });
    await confirm.getByLabel('After 1 hour').check();
    await confirm.getByLabel('Immediately').check();
    await expectAccessible(page, 'rotate dialog');
    await confirm.getByRole('button', { name: 'Rotate' }).click();
    await page.getByRole('dialog', { name: 'New secret for "ci-deploy"' }).waitFor();
    const second = await takeSecretFromReveal(page, 'Token secret');
    expect(second).not.toBe(first);
    await expectSecretGone(env, second);
    expect((await callWithToken(base, first)).status).toBe(401);
    expect((await callWithToken(base, second)).status).toBe(200);
    await screenshot(page, 'tokens');
  });

  it('filters the table and pages with "Load more" until every token is listed', async () => {
    const { page, base } = env;
    const api = await apiSession(base);
    for (let i = 0; i < 30; i++) {
      const res = await api('POST', '/v1/tokens', {
        name: `worker-${String(i).padStart(2, '0')}`,
        scopes: ['jobs:read'],
      });
      expect(res.status).toBe(201);
    }
    await page.reload();
    await page.getByRole('heading', { name: 'Tokens', level: 1 }).waitFor();
    const total = 32; // 30 workers + billing-exporter + ci-deploy
    await page.getByText('Showing 25 tokens').waitFor();
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText(`Showing ${total} tokens`).waitFor();
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    expect(await page.locator('tbody tr').count()).toBe(total);
    await expectAccessible(page, 'tokens (full)');

    await page.getByLabel('Status').selectOption('revoked');
    await page.getByText('Showing 1 token').waitFor();
    expect(await page.locator('tbody tr').first().textContent()).toContain('billing-exporter');
    const soon = await api('POST', '/v1/tokens', {
      name: 'expiring-worker',
      scopes: ['jobs:read'],
      expires_in_seconds: 2 * 86_400,
    });
    expect(soon.status).toBe(201);
    await page.getByLabel('Status').selectOption('expiring');
    await page.getByText('Showing 1 token').waitFor();
    expect(await page.locator('tbody tr').first().textContent()).toContain('expiring-worker');
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Search').fill('worker-1');
    await page.getByText('Showing 10 tokens').waitFor();
    await page.getByLabel('Search').fill('');
    await page.getByText('Showing 25 tokens').waitFor();
  });

  it('creates a service account and a role; lists members', async () => {
    const { page } = env;
    await page.getByRole('link', { name: 'Service accounts' }).click();
    await page.getByRole('heading', { name: 'Service accounts', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Create service account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a service account' });
    await dialog.getByLabel('Name').fill('nightly-exporter');
    await dialog.getByLabel('Role').selectOption({ label: 'accounting — billing:read usage:read' });
    await expectAccessible(page, 'create service account dialog');
    await dialog.getByRole('button', { name: 'Create service account' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('row').filter({ hasText: 'nightly-exporter' }).waitFor();
    await expectAccessible(page, 'service accounts');
    await screenshot(page, 'service-accounts');

    await page.getByRole('link', { name: 'Members & roles' }).click();
    await page.getByRole('heading', { name: 'Members & roles', level: 1 }).waitFor();
    await page.getByRole('row').filter({ hasText: ADMIN_EMAIL }).waitFor();
    await page.getByRole('button', { name: 'Create role' }).click();
    const roleDialog = page.getByRole('dialog', { name: 'Create a role' });
    await roleDialog.getByLabel('Name').fill('miner');
    await roleDialog.getByLabel('Description').fill('Submits and reads jobs');
    await roleDialog.getByLabel('Other scope').fill('jobs:write');
    await roleDialog.getByRole('button', { name: 'Add scope' }).click();
    await roleDialog.getByLabel('Other scope').fill('jobs:read');
    await roleDialog.getByLabel('Other scope').press('Enter');
    expect(await roleDialog.getByLabel('jobs:read').isChecked()).toBe(true);
    await roleDialog.getByLabel('members:read').check();
    await roleDialog.getByLabel('members:read').uncheck();
    await expectAccessible(page, 'create role dialog');
    await roleDialog.getByRole('button', { name: 'Create role' }).click();
    await roleDialog.waitFor({ state: 'hidden' });
    const row = page.getByRole('row').filter({ hasText: 'miner' });
    expect(await row.textContent()).toContain('jobs:read jobs:write');
    await expectAccessible(page, 'members and roles');
    await screenshot(page, 'members-roles');
  });

  it('shows the audit log and looks up an error by its id', async () => {
    const { page } = env;
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByRole('cell', { name: 'token.revoked' }).waitFor();
    await page.getByLabel('Action').fill('token.rotated');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Showing 1 event').waitFor();
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('cell', { name: 'role.created' }).waitFor();
    await expectAccessible(page, 'audit log');
    await screenshot(page, 'audit');

    await page.getByRole('link', { name: 'Error lookup' }).click();
    await page.getByRole('heading', { name: 'Error lookup', level: 1 }).waitFor();
    await page.getByLabel('Error id').fill(revokedErrorId);
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByText('TOKEN_REVOKED', { exact: false }).first().waitFor();
    expect(new URL(page.url()).pathname).toBe(`/errors/${revokedErrorId}`);
    await expectAccessible(page, 'error lookup');
    await screenshot(page, 'error-lookup');

    // An unknown id is refused with the server's own error id.
    await page.getByLabel('Error id').fill('err_00000000000000000000000000');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('alert').getByTestId('error-id').waitFor();
  });
});
