import { KeywardError } from '@keyward/core';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  // PostgreSQL: too many connections, shutting down, cannot connect now.
  '53300',
  '57P01',
  '57P02',
  '57P03',
]);

const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR)/;

/** pg raises these as plain Errors without a code. */
const PG_CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i;

const CONFLICT_SUBJECTS: Record<string, string> = {
  users: 'a user with that email already exists',
  roles: 'a role with that name already exists',
  projects: 'a project with that id already exists',
  service_accounts: 'a service account with that id already exists',
  tokens: 'a token with that id already exists',
  token_secrets: 'a token with that secret already exists',
  sessions: 'a session with that key already exists',
  error_records: 'an error record with that id already exists',
  memberships: 'that membership already exists',
};

type DriverError = Error & { code?: unknown; table?: unknown; errors?: unknown };

function codeOf(error: DriverError): string {
  if (typeof error.code === 'string') return error.code;
  // Node reports a refused dual-stack connect as an AggregateError of per-address errors.
  if (Array.isArray(error.errors)) {
    for (const inner of error.errors) {
      if (inner instanceof Error) {
        const code = codeOf(inner as DriverError);
        if (code !== '') return code;
      }
    }
  }
  return '';
}

function conflictTable(error: DriverError): string | null {
  if (typeof error.table === 'string') return error.table;
  // SQLite: "UNIQUE constraint failed: roles.project_id, roles.name"
  const match = /constraint failed: (\w+)\./.exec(error.message);
  return match?.[1] ?? null;
}

/** Maps driver faults to catalog errors: an outage is 503, a unique violation 409; others pass through. */
export function translateError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof KeywardError) return error;
  const driverError = error as DriverError;
  const code = codeOf(driverError);
  if (
    CONNECTION_CODES.has(code) ||
    code.startsWith('08') ||
    SQLITE_UNAVAILABLE.test(code) ||
    PG_CONNECTION_MESSAGES.test(error.message)
  ) {
    return new KeywardError('DATABASE_UNAVAILABLE', undefined, { cause: code || error.message });
  }
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const table = conflictTable(driverError);
    const detail = (table !== null && CONFLICT_SUBJECTS[table]) || 'a record with that key already exists';
    return new KeywardError('CONFLICT', detail);
  }
  return error;
}
