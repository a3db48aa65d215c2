import { INSTANCE_ADMIN_SCOPE, type ProjectId, type Scope, type UserId } from '@keyward/core';
import type { Repositories } from '@keyward/storage';

/** The scopes a user holds in a project right now: their role's, plus instance administration. */
export async function userRights(
  repos: Repositories,
  userId: UserId,
  projectId: ProjectId,
): Promise<Scope[] | null> {
  const [user, membership] = await Promise.all([
    repos.users.get(userId),
    repos.members.get(projectId, userId),
  ]);
  if (!user?.active || !membership) return null;
  const role = await repos.roles.get(projectId, membership.roleId);
  const scopes = [...(role?.scopes ?? [])];
  if (user.instanceAdmin) scopes.push(INSTANCE_ADMIN_SCOPE);
  return scopes;
}
