// Packs the product as users install it: one `keyward` package holding the bundled CLI and server
// (the @keyward/* workspaces are inside the bundle), the built console, and the npm packages the
// bundle leaves external as dependencies. Prints the tarball's path.
//   node scripts/pack.mjs [--out DIR]      (run `npm run build` first)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const readJson = (path) => JSON.parse(readFileSync(join(root, path), 'utf8'));
const outIndex = process.argv.indexOf('--out');
const outDir = resolve(outIndex > 0 ? process.argv[outIndex + 1] : root);

const product = readJson('package.json');
/**
 * `overrides` hold only in the root of a project, not in a package installed with `npm install -g`:
 * there, the newest @fastify/cookie and light-my-request would bring cookie 2, which declares
 * Node >= 22. These are the last versions on cookie 1 (what the workspace's override selects).
 */
const PINNED_FOR_NODE_20 = { '@fastify/cookie': '11.1.0', 'light-my-request': '6.6.0' };
const runtimeWorkspaces = [
  'apps/cli',
  'apps/server',
  'packages/storage',
  'packages/ratelimit',
  'packages/core',
];

/** The external npm packages of the bundle, at the versions the tests ran against. */
function dependencies() {
  const result = {};
  for (const workspace of runtimeWorkspaces) {
    for (const [name, range] of Object.entries(readJson(`${workspace}/package.json`).dependencies ?? {})) {
      if (name.startsWith('@keyward/')) continue;
      const installedAt = [join(workspace, 'node_modules'), 'node_modules']
        .map((dir) => join(dir, name, 'package.json'))
        .find((path) => existsSync(join(root, path)));
      if (!installedAt) throw new Error(`${name} (a dependency of ${workspace}) is not installed`);
      const installed = readJson(installedAt).version;
      result[name] = `${range.startsWith('~') ? '~' : '^'}${installed}`;
    }
  }
  return Object.fromEntries(Object.entries(result).sort(([a], [b]) => a.localeCompare(b)));
}

for (const built of ['apps/cli/dist/keyward.js', 'apps/console/dist/index.html'])
  if (!existsSync(join(root, built))) throw new Error(`${built} is missing: run npm run build first`);

const stage = mkdtempSync(join(tmpdir(), 'keyward-pack-'));
try {
  cpSync(join(root, 'apps/cli/bin'), join(stage, 'bin'), { recursive: true });
  cpSync(join(root, 'apps/cli/dist'), join(stage, 'dist'), { recursive: true });
  // The server looks for the console at ../../console/dist from its chunk (dist/chunks/*.js).
  cpSync(join(root, 'apps/console/dist'), join(stage, 'console/dist'), { recursive: true });
  for (const file of ['README.md', 'LICENSE'])
    if (existsSync(join(root, file))) cpSync(join(root, file), join(stage, file));
  const manifest = {
    name: 'keyward',
    version: product.version,
    description: product.description,
    license: product.license,
    type: 'module',
    bin: { keyward: 'bin/keyward.js' },
    files: ['bin', 'dist', 'console/dist'],
    engines: product.engines,
    dependencies: { ...dependencies(), ...PINNED_FOR_NODE_20 },
  };
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  mkdirSync(outDir, { recursive: true });
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], { cwd: stage, encoding: 'utf8' }),
  );
  process.stdout.write(`${join(outDir, packed.filename)}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
