import { isId, type ProjectId, type UserId } from '@keyward/core';
import type { Selectable } from 'kysely';
import { fromJson, toJson } from '../json.ts';
import { checkLimit, decodeCursor, toPage } from '../paging.ts';
import type { ProjectsTable } from '../schema.ts';
import type { Db } from '../transaction.ts';
import type { Project, ProjectRepository, ProjectSettings, RateLimitPolicy } from '../types.ts';

export function toProject(row: Selectable<ProjectsTable>): Project {
  return {
    id: row.id,
    name: row.name,
    tokenPrefix: row.token_prefix,
    settings: fromJson<ProjectSettings>(row.settings),
    rateLimits: fromJson<RateLimitPolicy[]>(row.rate_limits),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function createProjectRepository(db: Db): ProjectRepository {
  async function get(id: ProjectId): Promise<Project | null> {
    const row = await db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toProject(row) : null;
  }

  return {
    async create(project) {
      const row = await db
        .insertInto('projects')
        .values({
          id: project.id,
          name: project.name,
          token_prefix: project.tokenPrefix,
          settings: toJson(project.settings),
          rate_limits: toJson(project.rateLimits),
          created_at: project.createdAt,
          updated_at: project.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toProject(row);
    },

    get,

    async list(page) {
      const limit = checkLimit(page);
      const after = decodeCursor(page.cursor, (key) => isId('project', key));
      const rows = await db
        .selectFrom('projects')
        .selectAll()
        .$if(after !== null, (q) => q.where('id', '<', after as ProjectId))
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toProject), limit, (p) => p.id);
    },

    async listForUser(userId: UserId) {
      const rows = await db
        .selectFrom('projects')
        .innerJoin('memberships', 'memberships.project_id', 'projects.id')
        .selectAll('projects')
        .where('memberships.user_id', '=', userId)
        .orderBy('projects.id', 'desc')
        .execute();
      return rows.map(toProject);
    },

    async update(id, patch, now) {
      const row = await db
        .updateTable('projects')
        .set({
          updated_at: now,
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.settings !== undefined && { settings: toJson(patch.settings) }),
          ...(patch.rateLimits !== undefined && { rate_limits: toJson(patch.rateLimits) }),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? toProject(row) : null;
    },

    async count() {
      const row = await db
        .selectFrom('projects')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
