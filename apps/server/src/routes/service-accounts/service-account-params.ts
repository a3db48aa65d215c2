import { KeywardError, type ServiceAccountId } from '@keyward/core';
import type { ServiceAccount } from '@keyward/storage';
import { Type } from 'typebox';
import type { Deps, Principal } from '../../types.ts';
import { ServiceAccountIdSchema } from '../schemas.ts';

export const ServiceAccountParams = Type.Object({ service_account_id: ServiceAccountIdSchema });

export async function loadServiceAccount(deps: Deps, p: Principal, id: string): Promise<ServiceAccount> {
  const account = await deps.storage.serviceAccounts.get(p.projectId, id as ServiceAccountId);
  if (!account) throw new KeywardError('NOT_FOUND', 'No such service account');
  return account;
}
