import { describe, expect, it } from 'vitest';
import { createRole, createToken, parseJson, useCli } from './helpers.ts';

const fx = useCli({
  // A project administrator, not an instance administrator: inviting is theirs to do.
  login: async (server) => {
    await createRole(server, 'analyst', ['reports:read']);
    const { token } = await createToken(server, {
      name: 'project admin',
      scopes: ['members:read', 'members:write', 'roles:read', 'reports:read'],
    });
    return token;
  },
});
const { cli } = fx;

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${fx.server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('members invite', () => {
  it('prints a one-time link that the invitee redeems, lists and revokes pending invitations', async () => {
    const invited = await cli([
      'members',
      'invite',
      'ivy@example.com',
      '--role',
      'analyst',
      '--expires-in',
      '2d',
    ]);
    expect(invited.code).toBe(0);
    expect(invited.stderr).toContain('shown only now');
    const link = invited.stdout.trim();
    expect(link).toMatch(new RegExp(`^${fx.server.url}/invite#kwinv_[0-9A-Za-z]{43}$`));
    const code = link.split('#')[1];

    const listed = await cli(['members', 'invitations']);
    expect(listed.stdout).toMatch(/inv_\w+\s+ivy@example\.com\s+analyst/);
    expect(listed.stdout).not.toContain(code);

    const redeemed = await post('/v1/invitations/redeem', {
      code,
      account: 'new',
      password: 'ivy picked this one',
    });
    expect(redeemed.status).toBe(200);
    expect(
      (await post('/v1/auth/login', { email: 'ivy@example.com', password: 'ivy picked this one' })).status,
    ).toBe(200);
    const members = parseJson<{ data: { email: string; role: string }[] }>(
      (await cli(['members', 'list', '--json'])).stdout,
    );
    expect(members.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ email: 'ivy@example.com', role: 'analyst' })]),
    );

    const second = parseJson<{ id: string; link: string }>(
      (await cli(['members', 'invite', 'jo@example.com', '--role', 'analyst', '--json'])).stdout,
    );
    expect((await cli(['members', 'revoke-invitation', second.id])).code).toBe(2);
    expect(
      parseJson((await cli(['members', 'revoke-invitation', second.id, '--yes', '--json'])).stdout),
    ).toEqual({
      revoked: second.id,
    });
    const refused = await post('/v1/invitations/redeem', {
      code: second.link.split('#')[1],
      account: 'new',
      password: 'jo picked a password',
    });
    expect(refused.body.code).toBe('INVITATION_INVALID');
    expect((await cli(['members', 'invitations'])).stderr).toContain('No pending invitations.');
  });

  it('a role wider than the caller is refused, with the error id to quote', async () => {
    const refused = await cli(['members', 'invite', 'kim@example.com', '--role', 'owner']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/err_/);
  });
});
