import { readFileSync } from 'node:fs';
import { isAcceptableLegacyKey, LEGACY_KEY_MIN_LENGTH, MAX_TOKEN_LENGTH, parseToken } from '@keyward/core';
import type { ImportTokensBody, KeywardApi, RoleView } from '@keyward/sdk';

type ImportKey = ImportTokensBody['keys'][number];

import type { Command } from 'commander';
import { type Context, connect, describeFailure } from '../context.ts';
import { type KeyList, parseEnvKeyLists } from '../env-file.ts';
import { CliError, usageError } from '../exit-codes.ts';
import { parseRoleSpec, promptForRoles, type RoleToCreate, rolesForGroups } from './import-roles.ts';
import { collect } from './token-view.ts';

type Candidate = { source: string; group: string; key: string };
type Rejected = { source: string; length: number; reason: string };
type Skipped = { source: string; reason: string };

/** The server's rule for imported keys, with a reason a person can act on; never echoes the key. */
function rejection(key: string): string | null {
  if (key.length < LEGACY_KEY_MIN_LENGTH) return `shorter than ${LEGACY_KEY_MIN_LENGTH} characters`;
  if (key.length > MAX_TOKEN_LENGTH) return `longer than ${MAX_TOKEN_LENGTH} characters`;
  if (!isAcceptableLegacyKey(key)) {
    const parsed = parseToken(key);
    return !parsed.ok && parsed.reason === 'BAD_CHECKSUM'
      ? 'looks like a Keyward token with a wrong checksum (a typo?)'
      : 'contains spaces or non-printable characters';
  }
  return null;
}

/** `--map GROUP=role` (an existing role) and `--create-roles GROUP=role:scope,…` (made if missing). */
function parseMaps(maps: string[], creates: string[]): Map<string, RoleToCreate> {
  const result = new Map<string, RoleToCreate>();
  const add = (group: string, role: RoleToCreate) => {
    if (result.has(group)) throw usageError(`${group} is mapped twice`);
    result.set(group, role);
  };
  for (const entry of maps) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(entry);
    if (!match?.[1] || !match[2])
      throw usageError(`--map: expected GROUP=role (e.g. CLIENT=client), got "${entry}"`);
    add(match[1].toUpperCase().replace(/_API_KEYS$/, ''), { name: match[2], scopes: [] });
  }
  for (const entry of creates) {
    const { group, role } = parseRoleSpec('--create-roles', entry);
    add(group, role);
  }
  return result;
}

function candidatesOf(lists: KeyList[], maps: ReadonlyMap<string, RoleToCreate>) {
  const groups = new Set(lists.map((l) => l.group.toUpperCase()));
  const unmapped = [...groups].filter((g) => !maps.has(g));
  if (unmapped.length) {
    throw usageError(
      `the file has ${unmapped.map((g) => `${g}_API_KEYS`).join(', ')} without a --map; add e.g. --map ${unmapped[0]}=<role>`,
    );
  }
  const missing = [...maps.keys()].filter((g) => !groups.has(g));
  if (missing.length)
    throw usageError(`--map names ${missing.map((g) => `${g}_API_KEYS`).join(', ')}, which the file lacks`);
  const valid: Candidate[] = [];
  const rejected: Rejected[] = [];
  const seen = new Map<string, string>();
  for (const list of lists) {
    list.keys.forEach((key, index) => {
      const source = `${list.variable}[${index}] (line ${list.line})`;
      const earlier = seen.get(key);
      const reason = rejection(key) ?? (earlier ? `duplicate of ${earlier}` : null);
      if (reason) rejected.push({ source, length: key.length, reason });
      else valid.push({ source, group: list.group.toUpperCase(), key });
      if (!earlier) seen.set(key, source);
    });
  }
  return { valid, rejected };
}

const IMPORT_BATCH = 1000;
/** Below the server's default request body limit (64 KiB), with room for the JSON framing. */
const IMPORT_BATCH_BYTES = 60_000;

/** Batches of at most IMPORT_BATCH keys and IMPORT_BATCH_BYTES of JSON each. */
function batchesOf<T extends ImportKey>(keys: T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of keys) {
    const size =
      Buffer.byteLength(JSON.stringify({ key: entry.key, name: entry.name, role_id: entry.role_id })) + 1;
    if (current.length === IMPORT_BATCH || (current.length > 0 && bytes + size > IMPORT_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length) batches.push(current);
  return batches;
}

type ImportOptions = {
  fromEnvFile: string;
  map: string[];
  createRoles: string[];
  skipInvalid?: boolean;
  dryRun?: boolean;
};
type Imported = { source: string; role: string; token_id: string; hint: string };

/**
 * Each batch is all-or-nothing on the server; when batch k fails, the ones before it stay, and
 * the error says exactly which keys they were (by position), so nothing is committed unreported.
 */
async function importInBatches(
  ctx: Context,
  api: KeywardApi,
  batch: (ImportKey & { source: string })[],
  imported: Imported[],
  already: Skipped[],
) {
  const batches = batchesOf(batch);
  const progress = process.stderr.isTTY === true && batches.length > 1;
  for (const [index, chunk] of batches.entries()) {
    try {
      const result = await api.importTokens({
        keys: chunk.map(({ key, name, role_id }) => ({ key, name, role_id })),
      });
      // The server skips keys this project already imported (a re-run) and imports the rest in order.
      const skippedAt = new Set(result.skipped.map((s) => s.index));
      for (const s of result.skipped)
        already.push({ source: chunk[s.index]?.source ?? '?', reason: `already imported as ${s.token_id}` });
      const fresh = chunk.filter((_, j) => !skippedAt.has(j));
      result.imported.forEach((t, j) => {
        imported.push({
          source: fresh[j]?.source ?? '?',
          role: fresh[j]?.name ?? '?',
          token_id: t.id,
          hint: t.hint,
        });
      });
    } catch (error) {
      if (imported.length === 0) throw error;
      const failure = describeFailure(error);
      if (!ctx.out.json) {
        for (const t of imported) ctx.out.line(`committed: ${t.source} ${t.role} ${t.token_id} ${t.hint}`);
      }
      throw new CliError(
        `batch ${index + 1} of ${batches.length} failed (${failure.message}); the ${imported.length} key(s) listed as committed were imported, the rest were not`,
        failure.exitCode,
        { committed: imported, cause: failure.json },
      );
    }
    if (progress) ctx.out.note(`imported ${imported.length}/${batch.length}`);
  }
}

export function registerTokensImport(tokens: Command, contextOf: (command: Command) => Context) {
  tokens
    .command('import')
    .description('import existing plaintext keys from an env file; the server keeps only their hashes')
    .requiredOption('--from-env-file <path>', 'file with lines like CLIENT_API_KEYS=["…","…"]')
    .option('--map <GROUP=role>', 'give the keys of GROUP_API_KEYS this role; repeat per list', collect, [])
    .option(
      '--create-roles <GROUP=role:scopes>',
      'like --map, creating the role with these comma-separated scopes if missing; repeat per list',
      collect,
      [],
    )
    .option('--skip-invalid', 'import the valid keys even if some are invalid (default: import nothing)')
    .option('--dry-run', 'check the file and the roles, import nothing')
    .action(async (options: ImportOptions, command: Command) => {
      const ctx = contextOf(command);
      const maps = parseMaps(options.map, options.createRoles);
      let content: string;
      try {
        content = readFileSync(options.fromEnvFile, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${options.fromEnvFile}: ${(error as Error).message}`);
      }
      let lists: KeyList[];
      try {
        lists = parseEnvKeyLists(content);
      } catch (error) {
        throw new CliError(`${options.fromEnvFile}: ${(error as Error).message}`);
      }
      if (lists.length === 0) throw new CliError(`${options.fromEnvFile} has no *_API_KEYS lines`);
      const groups = [...new Set(lists.map((l) => l.group.toUpperCase()))];
      for (const [group, role] of await promptForRoles(groups, new Set(maps.keys()))) maps.set(group, role);
      const { valid, rejected } = candidatesOf(lists, maps);
      const { out } = ctx;
      for (const r of rejected) out.note(`invalid: ${r.source}: ${r.reason} (${r.length} characters)`);
      if (rejected.length && !options.skipInvalid) {
        throw new CliError(
          `${rejected.length} invalid key(s); nothing imported (fix them or pass --skip-invalid)`,
        );
      }

      const { api } = connect(ctx);
      const roleOf = await rolesForGroups(ctx, api, maps, options.dryRun === true);
      const batch: (ImportKey & { source: string })[] = valid.map((c) => {
        const role = roleOf.get(c.group) as RoleView;
        return { key: c.key, name: role.name, role_id: role.id, source: c.source };
      });

      const imported: Imported[] = [];
      const already: Skipped[] = [];
      if (!options.dryRun) await importInBatches(ctx, api, batch, imported, already);
      const counts: Record<string, number> = {};
      const skippedSources = new Set(already.map((a) => a.source));
      for (const b of batch.filter((b) => !skippedSources.has(b.source)))
        counts[b.name] = (counts[b.name] ?? 0) + 1;
      const skipped: Skipped[] = [...rejected.map(({ source, reason }) => ({ source, reason })), ...already];

      if (out.json) {
        out.data({ dry_run: options.dryRun === true, counts, imported, skipped });
        return;
      }
      if (options.dryRun) {
        out.line(`Dry run: would import ${batch.length} key(s): ${summary(counts)}`);
        return;
      }
      out.table(
        ['SOURCE', 'ROLE', 'TOKEN ID', 'HINT'],
        imported.map((t) => [t.source, t.role, t.token_id, t.hint]),
      );
      out.line();
      out.line(
        `Imported ${imported.length} key(s): ${summary(counts)}${skipped.length ? `; skipped ${skipped.length}` : ''}`,
      );
      out.note(
        'The server stores only their hashes. Remove the plaintext keys from the env file once clients are moved.',
      );
    });
}

const summary = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([role, n]) => `${n} ${role}`)
    .join(', ') || 'none';
