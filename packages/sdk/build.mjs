// Builds the published form of @keyward/sdk: ESM JavaScript and .d.ts in dist/ (or --out DIR).
//   node packages/sdk/build.mjs [--out DIR]
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const here = import.meta.dirname;
const require = createRequire(import.meta.url);
const outIndex = process.argv.indexOf('--out');
const dist = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : join(here, 'dist');
// Built aside, then put in place whole: tests pack the SDK concurrently, and none may pack a half-built dist/.
mkdirSync(dirname(dist), { recursive: true });
const out = mkdtempSync(join(dirname(dist), '.dist-'));
try {
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.build.json'), '--outDir', out], {
    stdio: 'inherit',
  });

  // Modules of @keyward/core the SDK ships inside itself (it has no dependencies): in the sources a
  // stand-in re-exports core's module; here core's module, compiled, takes the stand-in's place.
  // They are internal (no public type names them), so the stand-in's declarations go.
  const BUNDLED = {
    'provider/ip-allowlist': '../core/src/ip-allowlist.ts',
    'provider/tick-shape': '../core/src/tick-shape.ts',
  };
  const ts = require('typescript');
  for (const [module, source] of Object.entries(BUNDLED)) {
    const { outputText } = ts.transpileModule(readFileSync(join(here, source), 'utf8'), {
      fileName: source,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    if (/from ['"]\.{1,2}\//.test(outputText))
      throw new Error(`${source} imports a sibling at run time: bundle that one too`);
    writeFileSync(join(out, `${module}.js`), outputText);
    rmSync(join(out, `${module}.d.ts`));
  }

  // Declarations keep the sources' `.ts` specifiers; a consumer resolves the `.js` ones everywhere.
  for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    let text = readFileSync(path, 'utf8');
    if (text.includes("from '@keyward/")) throw new Error(`${path} still imports a workspace package`);
    if (!entry.name.endsWith('.d.ts')) continue;
    // A module imported only for its effect (tick-shape) declares nothing: its import line goes.
    text = text.replace(/^import '\.\/[\w-]+\.ts';\n/gm, '');
    for (const module of Object.keys(BUNDLED))
      if (text.includes(`${module.split('/').pop()}.ts'`))
        throw new Error(`${path} names internal ${module}`);
    text = text.replace(/(from '\.{1,2}\/[^']+)\.ts'/g, "$1.js'");
    writeFileSync(path, text);
  }
  rmSync(dist, { recursive: true, force: true });
  try {
    renameSync(out, dist);
  } catch (error) {
    // A concurrent build put its dist/ (of the same sources) in place first: that one stays.
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
