import { isId, type ProjectId, type ServiceAccountId, type TokenId, type UserId } from '@keyward/core';
import type { Storage } from '@keyward/storage';
import type { CacheChange } from '../../services/verifier.ts';

/** A change as an SDK client reads it on the stream (snake_case, like every other answer). */
export type WireChange =
  | { token_id: string }
  | { owner_id: string }
  | { project_id: string; owner_id?: string };

export function wireChange(change: CacheChange): WireChange {
  if ('tokenId' in change) return { token_id: change.tokenId };
  if ('projectId' in change)
    return change.ownerId
      ? { project_id: change.projectId, owner_id: change.ownerId }
      : { project_id: change.projectId };
  return { owner_id: change.ownerId };
}

/**
 * The projects of tokens this node verified for SDKs (bounded): a revocation of one of them is
 * forwarded without a database read. Token ids never move between projects, so it never goes stale.
 */
export function createTokenProjects(maxEntries = 100_000) {
  const projects = new Map<string, string>();
  return {
    remember(tokenId: string, projectId: string): void {
      if (projects.has(tokenId)) return;
      if (projects.size >= maxEntries) {
        const oldest = projects.keys().next().value;
        if (oldest !== undefined) projects.delete(oldest);
      }
      projects.set(tokenId, projectId);
    },
    projectOf: (tokenId: string) => projects.get(tokenId),
  };
}

export type TokenProjects = ReturnType<typeof createTokenProjects>;

/**
 * Whether a change can touch a token of `projectId`, so a stream only ever tells a project about
 * its own tokens and owners. A token or owner id names no project, so it is looked up (one read).
 */
export async function concernsProject(
  storage: Storage,
  known: TokenProjects,
  projectId: ProjectId,
  change: CacheChange,
): Promise<boolean> {
  if ('projectId' in change) return change.projectId === projectId;
  if ('tokenId' in change) {
    const knownProject = known.projectOf(change.tokenId);
    if (knownProject !== undefined) return knownProject === projectId;
    if (!isId('token', change.tokenId)) return false;
    return (await storage.tokens.get(projectId, change.tokenId as TokenId)) !== null;
  }
  if (isId('user', change.ownerId))
    return (await storage.members.get(projectId, change.ownerId as UserId)) !== null;
  if (isId('serviceAccount', change.ownerId))
    return (await storage.serviceAccounts.get(projectId, change.ownerId as ServiceAccountId)) !== null;
  return false;
}
