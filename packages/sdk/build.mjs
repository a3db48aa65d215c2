// Builds the published form of @keyward/sdk: ESM JavaScript and .d.ts in dist/ (or --out DIR).
//   node packages/sdk/build.mjs [--out DIR]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const here = import.meta.dirname;
const outIndex = process.argv.indexOf('--out');
const dist = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.build.json'), '--outDir', dist], {
  stdio: 'inherit',
});

// Declarations keep the sources' `.ts` specifiers; a consumer resolves the `.js` ones everywhere.
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const path = join(entry.parentPath, entry.name);
  const text = readFileSync(path, 'utf8').replace(/(from '\.{1,2}\/[^']+)\.ts'/g, "$1.js'");
  writeFileSync(path, text);
}
