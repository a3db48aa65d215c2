import { KeywardError } from '@keyward/core';
import type { Project } from '@keyward/storage';

export type ExpiryInput = { expiresInSeconds?: number; expiresAt?: string | null };

/** When a token asked for expires: as given, or the project's default; the policy judges the result. */
export function resolveExpiry(project: Project, input: ExpiryInput, at: number): number | null {
  let expiresAt: number | null;
  if (input.expiresInSeconds !== undefined) expiresAt = at + input.expiresInSeconds * 1000;
  else if (input.expiresAt === null) expiresAt = null;
  else if (input.expiresAt !== undefined) expiresAt = Date.parse(input.expiresAt);
  else {
    const lifetime = project.settings.defaultTokenLifetimeSeconds;
    expiresAt = lifetime === null ? null : at + lifetime * 1000;
  }
  if (expiresAt !== null && (!Number.isFinite(expiresAt) || expiresAt <= at)) {
    throw new KeywardError('VALIDATION_FAILED', 'The expiry must be in the future');
  }
  return expiresAt;
}
