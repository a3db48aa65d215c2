import { missingScopes, type Scope } from './scopes.ts';

/** A token whose secret equals a key being imported. */
export type ExistingKey = { projectId: string; kind: string; scopes: readonly Scope[] };

/**
 * What importing a key that already exists does. A re-run of the caller's own import skips it
 * (the key is an imported key of the caller's project, holding no right the caller lacks); any
 * other match is a conflict that says nothing of where the key lives, since telling the two apart
 * for a foreign key would make import an oracle for guessing keys.
 */
export function existingKeyOutcome(
  existing: ExistingKey,
  caller: { projectId: string; scopes: readonly Scope[] },
): 'skip' | 'conflict' {
  const ownImport = existing.projectId === caller.projectId && existing.kind === 'imported';
  return ownImport && missingScopes(caller.scopes, existing.scopes).length === 0 ? 'skip' : 'conflict';
}
