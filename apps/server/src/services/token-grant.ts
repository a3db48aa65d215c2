import {
  KeywardError,
  normalizeScopes,
  type RoleId,
  type Scope,
  type ServiceAccountId,
  type UserId,
} from '@keyward/core';
import type { Repositories } from '@keyward/storage';
import type { Principal } from '../types.ts';

/** The scopes a token will hold: its role's, or the ones asked for (the policy judges them). */
export async function grantedScopes(
  repos: Repositories,
  principal: Principal,
  roleId: RoleId | null | undefined,
  scopes: Scope[] | undefined,
) {
  if (roleId) {
    const role = await repos.roles.get(principal.projectId, roleId);
    if (!role) throw new KeywardError('NOT_FOUND', 'No such role');
    return { roleId: role.id, scopes: role.scopes };
  }
  return { roleId: null, scopes: normalizeScopes(scopes ?? []) };
}

/** Who a new token belongs to: the caller, or a service account of the caller's project. */
export async function ownerFor(
  repos: Repositories,
  principal: Principal,
  serviceAccountId: ServiceAccountId | undefined,
) {
  if (serviceAccountId) {
    const account = await repos.serviceAccounts.get(principal.projectId, serviceAccountId);
    if (!account) throw new KeywardError('NOT_FOUND', 'No such service account');
    return { ownerType: 'service_account' as const, ownerId: account.id };
  }
  return { ownerType: principal.ownerType, ownerId: principal.ownerId as UserId | ServiceAccountId };
}
