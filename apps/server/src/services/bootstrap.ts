import {
  createAuditKeys,
  generateToken,
  hashToken,
  INSTANCE_ADMIN_SCOPE,
  KeywardError,
  newId,
  type PepperRing,
  type ProjectId,
  type TokenId,
  tokenHint,
  type UserId,
} from '@keyward/core';
import type { Project, Repositories, Storage } from '@keyward/storage';
import argon2 from 'argon2';
import { createProjectWithDefaults } from './projects.ts';

export type BootstrapInput = {
  email: string;
  password?: string;
  name?: string;
  projectName?: string;
  /** `keyward init` wants an administrator token; the console's first-run setup signs in instead. */
  withToken: boolean;
};

export type BootstrapResult = {
  admin: { token: string; tokenId: TokenId } | null;
  projectId: ProjectId;
  userId: UserId;
};

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

/**
 * Creates the first administrator, a default project and an administrator token.
 * Runs once: a database that already has a user is refused.
 */
export async function bootstrap(
  storage: Storage,
  peppers: PepperRing,
  input: BootstrapInput,
  now: number,
): Promise<BootstrapResult> {
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return storage.transaction(async (repos) => {
    if ((await repos.users.count()) > 0) throw new KeywardError('ALREADY_INITIALIZED');
    const user = await repos.users.create({
      id: newId('user', now),
      email: input.email,
      name: input.name ?? 'Administrator',
      passwordHash,
      active: true,
      instanceAdmin: true,
      rateLimits: [],
      createdAt: now,
    });
    const project = await createProjectWithDefaults(
      repos,
      { name: input.projectName ?? 'default', ownerUserId: user.id },
      now,
    );
    const admin = input.withToken ? await createAdminToken(repos, project, user.id, peppers, now) : null;
    await repos.audit.append(
      {
        actorType: 'system',
        actorId: null,
        viaTokenId: null,
        projectId: project.id,
        action: 'instance.initialized',
        targetType: 'user',
        targetId: user.id,
        changes: { email: { after: user.email }, admin_token: { after: admin?.tokenId ?? null } },
        ip: null,
        userAgent: null,
      },
      now,
      createAuditKeys(peppers),
    );
    return { admin, projectId: project.id, userId: user.id };
  });
}

async function createAdminToken(
  repos: Repositories,
  project: Project,
  userId: UserId,
  peppers: PepperRing,
  now: number,
) {
  const secret = generateToken(project.tokenPrefix);
  const token = await repos.tokens.create(
    {
      id: newId('token', now),
      projectId: project.id,
      ownerType: 'user',
      ownerId: userId,
      kind: 'standard',
      name: 'bootstrap admin token',
      description: 'Created by keyward init',
      roleId: null,
      scopes: ['*:*', INSTANCE_ADMIN_SCOPE],
      prefix: project.tokenPrefix,
      hint: tokenHint(secret),
      rateLimits: [],
      expiresAt: null,
      createdBy: userId,
      createdAt: now,
    },
    {
      hash: hashToken(secret, peppers.current),
      hashVersion: peppers.current.version,
      createdAt: now,
      expiresAt: null,
    },
  );
  return { token: secret, tokenId: token.id };
}
