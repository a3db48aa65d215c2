export { createStorage, databaseLocation, type StorageOptions, storageFromUrl } from './create-storage.ts';
export { migrateToLatest } from './migrate.ts';
export { MIGRATIONS } from './migrations/index.ts';
export { toAuditRecord } from './repositories/audit.ts';
export { normalizeEmail } from './repositories/users.ts';
export { type BackupResult, backupSqlite, restoreSqlite } from './sqlite-backup.ts';
export type * from './types.ts';
