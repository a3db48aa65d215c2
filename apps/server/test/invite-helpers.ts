import { call, type Harness } from './harness.ts';

/** The id of a project role by name (`owner`, `accounting`, …). */
export async function roleId(h: Harness, token: string, name: string): Promise<string> {
  const roles = await call(h.app, 'GET', '/v1/roles', token);
  const role = roles.body.data.find((r: { name: string }) => r.name === name);
  if (!role) throw new Error(`no role ${name}`);
  return role.id as string;
}

export async function invite(h: Harness, token: string, email: string, role: string) {
  const res = await call(h.app, 'POST', '/v1/invitations', token, { email, role_id: role });
  if (res.status !== 201) throw new Error(`invitation failed: ${res.status} ${res.raw}`);
  return res.body as { id: string; code: string; email: string; role: string };
}

export function redeem(
  h: Harness,
  code: string,
  account: 'new' | 'existing',
  password: string,
  headers: Record<string, string> = {},
) {
  return call(h.app, 'POST', '/v1/invitations/redeem', null, { code, account, password }, headers);
}

/** Invites `email` with `token` and redeems the code as a new account: the member's user id. */
export async function inviteNewMember(
  h: Harness,
  token: string,
  email: string,
  role: string,
  password: string,
) {
  const { code } = await invite(h, token, email, role);
  const joined = await redeem(h, code, 'new', password);
  if (joined.status !== 200) throw new Error(`redemption failed: ${joined.status} ${joined.raw}`);
  return joined.body.user.id as string;
}
