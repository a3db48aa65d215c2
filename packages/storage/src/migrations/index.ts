import type { Migration, MigrationProvider } from 'kysely';
import { initial } from './0001-initial.ts';
import { status } from './0005-status.ts';

/** Listed in code, not scanned from disk, so a bundled server still finds them. Names sort in order. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0005-status': status,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
