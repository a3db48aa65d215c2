import { INSTANCE_ADMIN_SCOPE, KeywardError, missingScopes, type ProjectId } from '@keyward/core';
import type { Project } from '@keyward/storage';
import type { Deps, Principal } from '../../types.ts';

export const isInstanceAdmin = (p: Principal) => missingScopes(p.scopes, [INSTANCE_ADMIN_SCOPE]).length === 0;

/** The caller sees its own project; instance administrators see every project. Others are 404. */
export async function visibleProject(deps: Deps, p: Principal, id: ProjectId): Promise<Project> {
  const project = id === p.projectId || isInstanceAdmin(p) ? await deps.storage.projects.get(id) : null;
  if (!project) throw new KeywardError('NOT_FOUND', 'No such project');
  return project;
}
