import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from './exit-codes.ts';

/** One stored login. Each lives in its own 0600 file, so no file holds another environment's secret. */
export type Credential = {
  name: string;
  environment: string;
  url: string;
  token: string;
  token_id: string | null;
  hint: string;
  saved_at: string;
};

export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const credentialKey = (c: { name: string; environment: string }) => `${c.name}@${c.environment}`;

export function checkName(kind: 'name' | 'environment', value: string): string {
  if (!NAME_PATTERN.test(value)) {
    throw usageError(`invalid ${kind} "${value}": use lower-case letters, digits, ".", "_" or "-" (max 64)`);
  }
  return value;
}

/** Makes a credential name out of a role or token name: `Client Key #1` → `client-key-1`. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 64)
    .replace(/[-._]+$/, '');
  return slug || 'token';
}

function writePrivate(path: string, content: string) {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600, flag: 'w' });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

function ensurePrivateDir(path: string) {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
}

export type CredentialStore = ReturnType<typeof createCredentialStore>;

/**
 * `<dir>/credentials/<name>@<env>.json` (0600, one per credential) and `<dir>/state.json`
 * for the active key. The directories are 0700.
 */
export function createCredentialStore(dir: string) {
  const credentialsDir = join(dir, 'credentials');
  const statePath = join(dir, 'state.json');
  const fileOf = (key: string) => join(credentialsDir, `${key}.json`);

  function readJson(path: string): unknown {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  function list(): Credential[] {
    let names: string[];
    try {
      names = readdirSync(credentialsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((n) => n.endsWith('.json'))
      .sort()
      .map((n) => readJson(join(credentialsDir, n)) as Credential | null)
      .filter((c): c is Credential => c !== null && typeof c.token === 'string');
  }

  function activeKey(): string | null {
    const state = readJson(statePath) as { active?: unknown } | null;
    return typeof state?.active === 'string' ? state.active : null;
  }

  function setActive(key: string | null) {
    ensurePrivateDir(dir);
    writePrivate(statePath, `${JSON.stringify({ active: key }, null, 2)}\n`);
  }

  function save(credential: Credential) {
    ensurePrivateDir(dir);
    ensurePrivateDir(credentialsDir);
    writePrivate(fileOf(credentialKey(credential)), `${JSON.stringify(credential, null, 2)}\n`);
  }

  function remove(key: string) {
    rmSync(fileOf(key), { force: true });
    if (activeKey() === key) setActive(list()[0] ? credentialKey(list()[0] as Credential) : null);
  }

  /** The active credential, falling back to the only one stored. */
  function active(): Credential | null {
    const all = list();
    const key = activeKey();
    return all.find((c) => credentialKey(c) === key) ?? (all.length === 1 ? (all[0] ?? null) : null);
  }

  /** Resolves `name@env` exactly, or `env` when it names one credential (or the active one in it). */
  function select(selector: string): Credential[] {
    const all = list();
    if (selector.includes('@')) return all.filter((c) => credentialKey(c) === selector);
    const inEnv = all.filter((c) => c.environment === selector);
    const current = inEnv.find((c) => credentialKey(c) === activeKey());
    return current ? [current] : inEnv;
  }

  return { dir, credentialsDir, fileOf, list, active, activeKey, setActive, save, remove, select };
}
