// Bundles the CLI (and the server it starts) into one ESM file; npm packages stay external.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// Resolve from this file so `node apps/cli/build.mjs` works from the repository root too.
const here = dirname(fileURLToPath(import.meta.url));

await build({
  absWorkingDir: here,
  entryPoints: [join(here, 'src/main.ts')],
  outfile: join(here, 'dist/keyward.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
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
