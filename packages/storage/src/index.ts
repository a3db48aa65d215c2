export { canonicalJson, GENESIS_HASH } from './audit-hash.ts';
export { createStorage, databaseLocation, type StorageOptions, storageFromUrl } from './create-storage.ts';
export { migrateToLatest } from './migrate.ts';
export { MIGRATIONS } from './migrations/index.ts';
export { type BackupResult, backupSqlite, restoreSqlite } from './sqlite-backup.ts';
export type * from './types.ts';
