import { useEffect, useState } from 'react';
import { api } from './api.ts';
import i18n from './i18n/index.ts';
import { useSession } from './session.tsx';
import type { MemberView, RoleView, ServiceAccountView, TokenView } from './types.ts';

export type Lookups = {
  roles: RoleView[];
  members: MemberView[];
  serviceAccounts: ServiceAccountView[];
  reload: () => void;
};

/** Roles, members and service accounts of the project, as far as the user may read them. */
export function useLookups(): Lookups {
  const { can } = useSession();
  const [roles, setRoles] = useState<RoleView[]>([]);
  const [members, setMembers] = useState<MemberView[]>([]);
  const [serviceAccounts, setServiceAccounts] = useState<ServiceAccountView[]>([]);
  const [generation, setGeneration] = useState(0);
  const canRoles = can('roles:read');
  const canMembers = can('members:read');
  const canAccounts = can('service_accounts:read');

  // biome-ignore lint/correctness/useExhaustiveDependencies: generation forces a reload
  useEffect(() => {
    let cancelled = false;
    const load = async <T>(allowed: boolean, path: string, set: (rows: T[]) => void) => {
      if (!allowed) return;
      try {
        const res = await api<{ data: T[] }>('GET', path);
        if (!cancelled) set(res.data);
      } catch {
        // A list the user cannot read simply stays empty; ids are shown instead of names.
      }
    };
    void load<RoleView>(canRoles, '/v1/roles', setRoles);
    void load<MemberView>(canMembers, '/v1/members', setMembers);
    void load<ServiceAccountView>(canAccounts, '/v1/service-accounts', setServiceAccounts);
    return () => {
      cancelled = true;
    };
  }, [canRoles, canMembers, canAccounts, generation]);

  return { roles, members, serviceAccounts, reload: () => setGeneration((g) => g + 1) };
}

export function ownerLabel(token: TokenView, lookups: Lookups): string {
  if (token.owner.type === 'user') {
    return lookups.members.find((m) => m.user_id === token.owner.id)?.email ?? token.owner.id;
  }
  return lookups.serviceAccounts.find((a) => a.id === token.owner.id)?.name ?? token.owner.id;
}

export function rightsLabel(token: TokenView, lookups: Lookups): string {
  if (token.role_id === null) return token.scopes.join(' ');
  return token.role_name ?? lookups.roles.find((r) => r.id === token.role_id)?.name ?? token.role_id;
}

/** The server names every personal key "Personal API key"; the console says it in the user's language. */
export function tokenName(token: Pick<TokenView, 'kind' | 'name'>): string {
  return token.kind === 'personal' && token.name === 'Personal API key'
    ? i18n.t('api-access.personal-key')
    : token.name;
}
