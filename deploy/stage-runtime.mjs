// Lays out Keyward as it runs in the container, from a built workspace, without a registry:
//   <out>/bin, <out>/dist (the bundled CLI and server), <out>/console/dist, <out>/package.json and
//   <out>/node_modules holding exactly the npm packages the bundle loads (and theirs), copied from
//   the workspace's node_modules as npm resolved them. Dev dependencies never reach the image.
//   node deploy/stage-runtime.mjs <workspace> <out>      (run `npm run build` first)
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const [root, out] = process.argv.slice(2).map((p) => resolve(p));
if (!root || !out) throw new Error('usage: stage-runtime.mjs <workspace> <out>');
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const RUNTIME_WORKSPACES = [
  'apps/cli',
  'apps/server',
  'packages/storage',
  'packages/ratelimit',
  'packages/core',
];

for (const built of ['apps/cli/dist/keyward.js', 'apps/console/dist/index.html'])
  if (!existsSync(join(root, built))) throw new Error(`${built} is missing: run npm run build first`);

/** Node's lookup: `<from>/node_modules/<name>`, then each parent directory's, up to the workspace. */
function locate(name, from) {
  for (let dir = from; dir.startsWith(root); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root) break;
  }
  return undefined;
}

/** Where a package found at `source` goes: its path below the last node_modules chain, kept. */
function targetOf(source) {
  const rel = relative(root, source).split(sep);
  const first = rel.indexOf('node_modules');
  return join(out, ...rel.slice(first));
}

const copied = new Map(); // target -> source
const seen = new Set();
function include(name, from, optional) {
  const source = locate(name, from);
  if (!source) {
    if (optional) return;
    throw new Error(`${name} (needed from ${relative(root, from) || '.'}) is not installed`);
  }
  if (seen.has(source)) return;
  seen.add(source);
  const target = targetOf(source);
  const claimed = copied.get(target);
  if (claimed && claimed !== source) throw new Error(`${target} would hold both ${claimed} and ${source}`);
  copied.set(target, source);
  const manifest = readJson(join(source, 'package.json'));
  for (const dep of Object.keys(manifest.dependencies ?? {})) include(dep, source, false);
  for (const dep of Object.keys(manifest.optionalDependencies ?? {})) include(dep, source, true);
  // Peers the package declares are used when present (e.g. pg's pg-native is optional).
  for (const dep of Object.keys(manifest.peerDependencies ?? {}))
    include(dep, source, manifest.peerDependenciesMeta?.[dep]?.optional ?? true);
}

for (const workspace of RUNTIME_WORKSPACES) {
  const manifest = readJson(join(root, workspace, 'package.json'));
  for (const name of Object.keys(manifest.dependencies ?? {}))
    if (!name.startsWith('@keyward/')) include(name, join(root, workspace), false);
}

mkdirSync(out, { recursive: true });
cpSync(join(root, 'apps/cli/bin'), join(out, 'bin'), { recursive: true });
cpSync(join(root, 'apps/cli/dist'), join(out, 'dist'), { recursive: true });
// The server looks for the console at ../../console/dist from its chunk (dist/chunks/*.js).
cpSync(join(root, 'apps/console/dist'), join(out, 'console/dist'), { recursive: true });
// Parents first, so a nested package's own copy is the one that stays.
const ordered = [...copied].sort(([a], [b]) => a.length - b.length);
for (const [target, source] of ordered)
  cpSync(source, target, {
    recursive: true,
    // Its nested node_modules are copied only as far as they are needed (entries of their own).
    filter: (path) => !relative(source, path).split(sep).includes('node_modules'),
  });
const product = readJson(join(root, 'package.json'));
writeFileSync(
  join(out, 'package.json'),
  `${JSON.stringify({ name: 'keyward', version: product.version, private: true, type: 'module', bin: { keyward: 'bin/keyward.js' } }, null, 2)}\n`,
);
process.stdout.write(`${copied.size} packages in ${join(out, 'node_modules')}\n`);
