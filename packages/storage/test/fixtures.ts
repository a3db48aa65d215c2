import { randomBytes } from 'node:crypto';
import { newId, type Scope } from '@keyward/core';
import type { NewToken, Role, ServiceAccount, Storage, TokenSecret, User } from '../src/index.ts';

/** A strictly increasing clock, so ids minted in a test sort in creation order. */
let clock = Date.now();
export const tick = (): number => ++clock;

export const randomHash = (): string => randomBytes(32).toString('hex');

export type Seed = {
  projectId: NewToken['projectId'];
  owner: Role;
  reader: Role;
  user: User;
  sa: ServiceAccount;
};

/** A project with an owner role, a narrower reader role, a member holding reader and a service account. */
export async function seedProject(storage: Storage): Promise<Seed> {
  const now = tick();
  const projectId = newId('project', now);
  await storage.projects.create({
    id: projectId,
    name: `project ${projectId}`,
    tokenPrefix: 'kw',
    settings: { maxTokenLifetimeSeconds: null, defaultTokenLifetimeSeconds: null },
    rateLimits: [{ limit: 1000, windowSeconds: 60 }],
    createdAt: now,
  });
  const role = (name: string, scopes: Scope[]) =>
    storage.roles.create({
      id: newId('role', tick()),
      projectId,
      name,
      description: `${name} role`,
      scopes,
      builtin: false,
      createdAt: now,
    });
  const owner = await role('owner', ['*:*']);
  const reader = await role('reader', ['tokens:read', 'usage:read']);
  const user = await storage.users.create({
    id: newId('user', tick()),
    email: `User-${randomBytes(4).toString('hex')}@Example.com`,
    name: 'A User',
    passwordHash: null,
    active: true,
    instanceAdmin: false,
    rateLimits: [{ limit: 10, windowSeconds: 1 }],
    createdAt: now,
  });
  await storage.members.put({ projectId, userId: user.id, roleId: reader.id, createdAt: now });
  const sa = await storage.serviceAccounts.create({
    id: newId('serviceAccount', tick()),
    projectId,
    name: 'ci',
    description: 'continuous integration',
    roleId: owner.id,
    active: true,
    rateLimits: [{ limit: 5, windowSeconds: 1 }],
    createdBy: null,
    createdAt: now,
  });
  return { projectId, owner, reader, user, sa };
}

export type TokenSeed = { token: NewToken; secret: Omit<TokenSecret, 'tokenId'> };

export function tokenFor(seed: Seed, overrides: Partial<NewToken> = {}): TokenSeed {
  const now = tick();
  return {
    token: {
      id: newId('token', now),
      projectId: seed.projectId,
      ownerType: 'user',
      ownerId: seed.user.id,
      kind: 'standard',
      name: `token ${now}`,
      description: '',
      roleId: null,
      scopes: ['tokens:read'],
      prefix: 'kw',
      hint: 'kw_…abcd',
      rateLimits: [{ limit: 50, windowSeconds: 60 }],
      expiresAt: null,
      createdBy: null,
      createdAt: now,
      ...overrides,
    },
    secret: { hash: randomHash(), hashVersion: 1, createdAt: now, expiresAt: null },
  };
}

export async function createToken(storage: Storage, seed: Seed, overrides: Partial<NewToken> = {}) {
  const { token, secret } = tokenFor(seed, overrides);
  const created = await storage.tokens.create(token, secret);
  return { token: created, hash: secret.hash };
}

/** Rejects with a KeywardError of this code, or fails. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  if (!(caught instanceof Error) || !('code' in caught) || caught.code !== code) {
    throw new Error(`expected a KeywardError ${code}, got ${String(caught)}`);
  }
}
