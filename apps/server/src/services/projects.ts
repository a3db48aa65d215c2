import {
  DEFAULT_ROLES,
  DEFAULT_TOKEN_PREFIX,
  newId,
  OWNER_ROLE,
  type ProjectId,
  type UserId,
} from '@keyward/core';
import type { Project, ProjectSettings, Repositories } from '@keyward/storage';

export type NewProject = {
  name: string;
  tokenPrefix?: string;
  settings?: Partial<ProjectSettings>;
  /** Becomes the project's owner. */
  ownerUserId?: UserId;
};

/** A project with its default roles (owner, accounting) and, if given, its first owner. */
export async function createProjectWithDefaults(
  repos: Repositories,
  input: NewProject,
  now: number,
): Promise<Project> {
  const project = await repos.projects.create({
    id: newId('project', now) as ProjectId,
    name: input.name,
    tokenPrefix: input.tokenPrefix ?? DEFAULT_TOKEN_PREFIX,
    settings: {
      maxTokenLifetimeSeconds: input.settings?.maxTokenLifetimeSeconds ?? null,
      defaultTokenLifetimeSeconds: input.settings?.defaultTokenLifetimeSeconds ?? null,
    },
    rateLimits: [],
    createdAt: now,
  });
  for (const template of DEFAULT_ROLES) {
    const role = await repos.roles.create({
      id: newId('role', now),
      projectId: project.id,
      name: template.name,
      description: template.description,
      scopes: template.scopes,
      builtin: true,
      createdAt: now,
    });
    if (template.name === OWNER_ROLE && input.ownerUserId) {
      await repos.members.put({
        projectId: project.id,
        userId: input.ownerUserId,
        roleId: role.id,
        createdAt: now,
      });
    }
  }
  return project;
}
