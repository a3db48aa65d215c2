// Packs @keyward/sdk as providers install it: dist/ only, exports pointing at the built files,
// no dependencies, the frameworks as optional peers. Prints the tarball's path.
//   node packages/sdk/pack.mjs [--out DIR]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const here = import.meta.dirname;
const outIndex = process.argv.indexOf('--out');
const outDir = resolve(outIndex > 0 ? process.argv[outIndex + 1] : here);

const source = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const entry = (name) => ({ types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` });
const manifest = {
  name: source.name,
  version: source.version,
  description: source.description,
  license: source.license,
  type: 'module',
  engines: source.engines,
  sideEffects: false,
  exports: {
    '.': entry('sdk'),
    './management': entry('management'),
    './fastify': entry('fastify'),
    './express': entry('express'),
    './hono': entry('hono'),
    './package.json': './package.json',
  },
  types: './dist/sdk.d.ts',
  files: source.files,
  peerDependencies: source.peerDependencies,
  peerDependenciesMeta: source.peerDependenciesMeta,
};

// Built straight into a stage of its own: packs running at once never share a dist/.
const stage = mkdtempSync(join(tmpdir(), 'keyward-sdk-pack-'));
try {
  execFileSync(process.execPath, [join(here, 'build.mjs'), '--out', join(stage, 'dist')], {
    stdio: 'inherit',
  });
  cpSync(join(here, 'README.md'), join(stage, 'README.md'));
  cpSync(join(here, '../../LICENSE'), join(stage, 'LICENSE'));
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  mkdirSync(outDir, { recursive: true });
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], { cwd: stage, encoding: 'utf8' }),
  );
  process.stdout.write(`${join(outDir, packed.filename)}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
