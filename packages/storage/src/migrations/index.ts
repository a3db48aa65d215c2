import type { Migration, MigrationProvider } from 'kysely';
import { initial } from './0001-initial.ts';
import { auditMac } from './0003-audit-mac.ts';

/** Listed in code, not scanned from disk, so a bundled server still finds them. Names sort in order. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0003-audit-mac': auditMac,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
