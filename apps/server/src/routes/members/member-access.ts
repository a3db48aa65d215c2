import { KeywardError, type RoleId } from '@keyward/core';
import type { Role } from '@keyward/storage';
import { Type } from 'typebox';
import { assertWithinRights } from '../../services/token-service.ts';
import type { Deps, Principal } from '../../types.ts';
import { UserIdSchema } from '../schemas.ts';

export const MemberParams = Type.Object({ user_id: UserIdSchema });

/** A role can only be handed out by someone who holds all of its scopes. */
export async function assignableRole(deps: Deps, p: Principal, roleId: string): Promise<Role> {
  const role = await deps.storage.roles.get(p.projectId, roleId as RoleId);
  if (!role) throw new KeywardError('NOT_FOUND', 'No such role');
  assertWithinRights(p, role.scopes);
  return role;
}
