import { KeywardError, type RoleId } from '@keyward/core';
import type { Role } from '@keyward/storage';
import { Type } from 'typebox';
import type { Deps, Principal } from '../../types.ts';
import { RoleIdSchema } from '../schemas.ts';

export const RoleParams = Type.Object({ role_id: RoleIdSchema });

export async function loadRole(deps: Deps, p: Principal, id: string): Promise<Role> {
  const role = await deps.storage.roles.get(p.projectId, id as RoleId);
  if (!role) throw new KeywardError('NOT_FOUND', 'No such role');
  return role;
}
