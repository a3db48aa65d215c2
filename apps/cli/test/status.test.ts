import { beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../server/test/harness.ts';
import { createRole, parseJson, useCli } from './helpers.ts';

const fx = useCli({ login: 'admin' });
const { cli } = fx;
let tokenId: string;

beforeAll(async () => {
  // A service account's token bound to a role: used twice, refused once, then its owner deactivated.
  const { h } = fx.server;
  const roleId = await createRole(fx.server, 'miner', ['jobs:submit']);
  const account = await call(h.app, 'POST', '/v1/service-accounts', h.adminToken, {
    name: 'rig',
    role_id: roleId,
  });
  const created = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
    name: 'rig token',
    role_id: roleId,
    service_account_id: account.body.id,
  });
  tokenId = created.body.id;
  const gate = (scopes: string) =>
    h.app.inject({
      method: 'GET',
      url: '/v1/authorize',
      headers: { authorization: `Bearer ${created.body.token}`, 'x-keyward-required-scopes': scopes },
    });
  for (const scopes of ['jobs:submit', 'jobs:submit', 'jobs:delete']) await gate(scopes);
  await h.deps.usage.flush();
  await call(h.app, 'PATCH', `/v1/service-accounts/${account.body.id}`, h.adminToken, { active: false });
});

describe('tokens list | show tell the status, the role and the usage', () => {
  it('lists an inactive owner’s token as owner_inactive, with its role’s name and both counts', async () => {
    const listed = await cli(['tokens', 'list', '--status', 'owner_inactive']);
    expect(listed.code).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.includes(tokenId)) ?? '';
    expect(row).toContain('owner_inactive');
    expect(row).toContain('role miner');
    expect(listed.stdout.split('\n')[0]).toMatch(/USES\s+REFUSED/);
    expect(row).toMatch(/\s2\s+1\s*$/);
    const active = await cli(['tokens', 'list', '--status', 'active']);
    expect(active.stdout).not.toContain(tokenId);
  });

  it('shows the same as fields and as JSON', async () => {
    const shown = await cli(['tokens', 'show', tokenId]);
    expect(shown.stdout).toMatch(/status:\s+owner_inactive/);
    expect(shown.stdout).toMatch(/role:\s+miner \(rol_/);
    expect(shown.stdout).toMatch(/uses:\s+2 admitted, 1 refused/);
    const json = parseJson<{ status: string; role_name: string; usage: unknown }>(
      (await cli(['tokens', 'show', tokenId, '--json'])).stdout,
    );
    expect(json).toMatchObject({
      status: 'owner_inactive',
      role_name: 'miner',
      usage: { admitted: 2, refused: 1 },
    });
  });
});
