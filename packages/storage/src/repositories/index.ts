import type { Db } from '../transaction.ts';
import type { Repositories } from '../types.ts';
import { createAuditRepository } from './audit.ts';
import {
  type ChangeContext,
  createCacheChangeRepository,
  createClusterNodeRepository,
} from './cache-changes.ts';
import { createErrorRecordRepository } from './error-records.ts';
import { createIdempotencyRepository } from './idempotency.ts';
import { createInvitationRepository } from './invitations.ts';
import { createMembershipRepository } from './memberships.ts';
import { createProjectRepository } from './projects.ts';
import { createRoleRepository } from './roles.ts';
import { createServiceAccountRepository } from './service-accounts.ts';
import { createSessionRepository } from './sessions.ts';
import { createTokenRepository } from './tokens.ts';
import { createUserRepository } from './users.ts';
import { createWebhookRepository } from './webhooks.ts';

/** Every repository bound to one executor: the pool, or a transaction. */
export function createRepositories(db: Db, changes: ChangeContext): Repositories {
  return {
    projects: createProjectRepository(db),
    users: createUserRepository(db),
    roles: createRoleRepository(db),
    members: createMembershipRepository(db),
    serviceAccounts: createServiceAccountRepository(db),
    tokens: createTokenRepository(db),
    audit: createAuditRepository(db),
    errors: createErrorRecordRepository(db),
    sessions: createSessionRepository(db),
    invitations: createInvitationRepository(db),
    cacheChanges: createCacheChangeRepository(db, changes),
    clusterNodes: createClusterNodeRepository(changes.background),
    idempotency: createIdempotencyRepository(db),
    webhooks: createWebhookRepository(db),
  };
}
