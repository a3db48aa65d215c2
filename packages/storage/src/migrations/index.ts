import type { Migration, MigrationProvider } from 'kysely';
import { initial } from './0001-initial.ts';
import { auditMac } from './0003-audit-mac.ts';
import { invitations } from './0004-invitations.ts';
import { status } from './0005-status.ts';
import { errorRecords } from './0006-error-records.ts';
import { cacheChanges } from './0007-cache-changes.ts';
import { webhooks } from './0008-webhooks.ts';
import { tokenControls } from './0009-token-controls.ts';
import { rateLimitWindows } from './0010-rate-limit-windows.ts';

/** Listed in code, not scanned from disk, so a bundled server still finds them. Names sort in order. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0003-audit-mac': auditMac,
  '0004-invitations': invitations,
  '0005-status': status,
  '0006-error-records': errorRecords,
  '0007-cache-changes': cacheChanges,
  '0008-webhooks': webhooks,
  '0009-token-controls': tokenControls,
  '0010-rate-limit-windows': rateLimitWindows,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
