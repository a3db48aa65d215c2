import type { Scope, UserId } from '@keyward/core';
import type { Role } from '@keyward/storage';
import { Type } from 'typebox';
import { userRights } from '../../services/user-rights.ts';
import type { Deps, Principal } from '../../types.ts';
import { UserIdSchema } from '../schemas.ts';

export const MemberParams = Type.Object({ user_id: UserIdSchema });

/** Everything a member holds in the project: their role's scopes and any instance administration. */
export async function memberRights(deps: Deps, p: Principal, userId: UserId, role: Role): Promise<Scope[]> {
  return (await userRights(deps.storage, userId, p.projectId)) ?? role.scopes;
}
