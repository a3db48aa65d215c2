import type { KeywardApi, RoleView } from '@keyward/sdk';
import type { Context } from '../context.ts';
import { CliError, usageError } from '../exit-codes.ts';
import { ask, stdinIsTty } from '../io.ts';
import { send } from './resource.ts';
import { roleLookup } from './token-view.ts';

/** A role `--create-roles CLIENT=client:jobs:submit,errors:read` makes when the project lacks it. */
export type RoleToCreate = { name: string; scopes: string[] };

const groupOf = (raw: string) => raw.toUpperCase().replace(/_API_KEYS$/, '');

/** `GROUP=role:scope,scope`: the group's keys get that role, created with those scopes if missing. */
export function parseRoleSpec(flag: string, entry: string): { group: string; role: RoleToCreate } {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=([^:=\s]+):(\S+)$/.exec(entry);
  const scopes = match?.[3]?.split(',').filter(Boolean) ?? [];
  if (!match?.[1] || !match[2] || scopes.length === 0) {
    throw usageError(
      `${flag}: expected GROUP=role:scope,scope (e.g. CLIENT=client:jobs:submit), got "${entry}"`,
    );
  }
  return { group: groupOf(match[1]), role: { name: match[2], scopes } };
}

/** On a terminal, asks for the role of each list the flags left unmapped; elsewhere leaves them. */
export async function promptForRoles(
  groups: readonly string[],
  mapped: ReadonlySet<string>,
): Promise<Map<string, RoleToCreate>> {
  const answers = new Map<string, RoleToCreate>();
  if (!stdinIsTty()) return answers;
  for (const group of groups.filter((g) => !mapped.has(g))) {
    const answer = await ask(`Role for ${group}_API_KEYS (role, or role:scope,scope to create it): `);
    const spec = answer.includes(':')
      ? parseRoleSpec('role', `${group}=${answer}`).role
      : { name: answer, scopes: [] };
    if (!spec.name) throw usageError(`no role given for ${group}_API_KEYS`);
    answers.set(group, spec);
  }
  return answers;
}

/**
 * The role of each group: an existing role by name, else one created now with the given scopes
 * (the server refuses scopes beyond the caller's own). A dry run creates nothing.
 */
export async function rolesForGroups(
  ctx: Context,
  api: KeywardApi,
  wanted: ReadonlyMap<string, RoleToCreate>,
  dryRun: boolean,
): Promise<Map<string, RoleView>> {
  const roles = await roleLookup(api);
  const result = new Map<string, RoleView>();
  for (const [group, spec] of wanted) {
    let role = roles.get(spec.name);
    if (!role && spec.scopes.length === 0) {
      throw new CliError(
        `${group}: no role named "${spec.name}" in this project (add :scope,scope to create it)`,
      );
    }
    if (!role && dryRun) {
      ctx.out.note(`would create role ${spec.name} (${spec.scopes.join(', ')})`);
      role = { id: `(new ${spec.name})`, name: spec.name, scopes: spec.scopes } as RoleView;
    } else if (!role) {
      role = await send<RoleView>(ctx, 'POST', '/v1/roles', {
        body: { name: spec.name, scopes: spec.scopes },
      });
      ctx.out.note(`created role ${role.name} (${role.scopes.join(', ')})`);
      roles.set(role.name, role);
    } else if (spec.scopes.length && spec.scopes.join(',') !== role.scopes.join(',')) {
      ctx.out.note(`role ${role.name} exists with scopes ${role.scopes.join(', ')}; using it as it is`);
    }
    result.set(group, role);
  }
  return result;
}
