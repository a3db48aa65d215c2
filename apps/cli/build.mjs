// Bundles the CLI (and the server it starts) into one ESM file; npm packages stay external.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// Resolve from this file so `node apps/cli/build.mjs` works from the repository root too.
const here = dirname(fileURLToPath(import.meta.url));

const result = await build({
  absWorkingDir: here,
  entryPoints: [join(here, 'src/main.ts')],
  outdir: join(here, 'dist'),
  entryNames: 'keyward',
  chunkNames: 'chunks/[name]-[hash]',
  // Chunks let `serve`, `init` and `migrate` load the server lazily; the other commands start faster.
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  write: false,
  banner: {
    js: "import { createRequire as __kwCreateRequire } from 'node:module'; const require = __kwCreateRequire(import.meta.url);",
  },
  plugins: [
    {
      name: 'external-npm-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.kind === 'entry-point' || args.path.startsWith('@keyward/')) return undefined;
          return { path: args.path, external: true };
        });
      },
    },
  ],
});

// Write-then-rename: a CLI started while another build runs (parallel test files) never reads half a file.
// Chunks first, the entry last: the entry only ever points at chunks that are already complete.
const entryFirst = (f) => (f.path.includes(`${join(here, 'dist')}/keyward.js`) ? 1 : 0);
for (const file of [...result.outputFiles].sort((a, b) => entryFirst(a) - entryFirst(b))) {
  mkdirSync(dirname(file.path), { recursive: true });
  const temp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temp, file.contents);
  renameSync(temp, file.path);
}
