import type { Scope } from './scopes.ts';

/** Keyward's own management permissions; they are ordinary scopes so a narrow token can hold them. */
export const MANAGEMENT_SCOPES = {
  tokensRead: 'tokens:read',
  tokensWrite: 'tokens:write',
  tokensVerify: 'tokens:verify',
  errorsRead: 'errors:read',
  auditRead: 'audit:read',
  membersRead: 'members:read',
  membersWrite: 'members:write',
  rolesRead: 'roles:read',
  rolesWrite: 'roles:write',
  serviceAccountsRead: 'service_accounts:read',
  serviceAccountsWrite: 'service_accounts:write',
  projectsAdmin: 'projects:admin',
  usageRead: 'usage:read',
} as const;

/** The instance-wide scope held by the bootstrap administrator. */
export const INSTANCE_ADMIN_SCOPE = 'keyward:admin';

export type RoleTemplate = { name: string; description: string; scopes: Scope[] };

/** Roles every new project starts with; projects add their own (client, miner, admin …). */
export const DEFAULT_ROLES: readonly RoleTemplate[] = [
  { name: 'owner', description: 'Full access to all project resources', scopes: ['*:*'] },
  {
    name: 'accounting',
    description: 'Read access to billing and usage data',
    scopes: ['billing:read', 'usage:read'],
  },
];

export const OWNER_ROLE = 'owner';

export const ROLE_NAME_PATTERN = '^[a-z][a-z0-9_-]{0,39}$';
