import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { installedManifest, packSdk, ROOT, run, scratchProject } from './scratch-project.ts';
import { createToken, type KeywardOnSocket, keywardOnSocket } from './sdk-harness.ts';

/** The SDK as a provider installs it: the packed tarball, in a project outside the workspace. */
describe('@keyward/sdk installed from its tarball', () => {
  let h: KeywardOnSocket;
  let dir = '';
  beforeAll(async () => {
    h = await keywardOnSocket();
    const tarball = await packSdk(h.dataDir);
    expect(tarball).toMatch(/keyward-sdk-\d+\.\d+\.\d+\.tgz$/);
    dir = await scratchProject(tarball);
  }, 300_000);
  afterAll(async () => {
    await h.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the installed package: built files only, no dependencies, frameworks as optional peers', () => {
    expect(dir.startsWith(ROOT)).toBe(false);
    const manifest = installedManifest(dir);
    expect(manifest).toMatchObject({ license: 'Apache-2.0', type: 'module', engines: { node: '>=20.19' } });
    expect(manifest.private).toBeUndefined();
    expect(manifest.dependencies).toBeUndefined();
    expect(Object.keys(manifest.exports)).toEqual([
      '.',
      './management',
      './fastify',
      './express',
      './hono',
      './package.json',
    ]);
    expect(manifest.peerDependenciesMeta).toEqual({
      express: { optional: true },
      fastify: { optional: true },
      hono: { optional: true },
    });
    const installed = readdirSync(join(dir, 'node_modules/@keyward/sdk'), { recursive: true }).map(String);
    expect(installed.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toBe(false);
    // Nothing else came with it: no @keyward/core, no framework.
    expect(readdirSync(join(dir, 'node_modules')).filter((f) => !f.startsWith('.'))).toEqual(['@keyward']);
    expect(existsSync(join(dir, 'node_modules/@keyward/core'))).toBe(false);
  });

  test('plain JavaScript (no TypeScript loader) verifies a token against a real Keyward', async () => {
    const caller = await createToken(h, ['instances:read']);
    const provider = await createToken(h, ['tokens:verify']);
    writeFileSync(
      join(dir, 'check.js'),
      `import { createKeyward } from '@keyward/sdk';
import * as express from '@keyward/sdk/express';
import * as hono from '@keyward/sdk/hono';
import * as fastify from '@keyward/sdk/fastify';
const kw = createKeyward({ baseUrl: process.env.KEYWARD_URL, token: process.env.PROVIDER_TOKEN });
await kw.ready(10000);
const good = await kw.verify(process.env.CALLER_TOKEN, ['instances:read']);
const wrong = await kw.verify(process.env.CALLER_TOKEN, ['instances:write']);
console.log(JSON.stringify({ good: good.code, wrong: wrong.code, adapters: [typeof express.protect, typeof hono.protect, typeof fastify.keyward] }));
await kw.close();
`,
    );
    const out = await run(process.execPath, ['check.js'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        KEYWARD_URL: h.url,
        PROVIDER_TOKEN: provider.token,
        CALLER_TOKEN: caller.token,
      },
    });
    expect(JSON.parse(out.stdout)).toEqual({
      good: 'VALID',
      wrong: 'INSUFFICIENT_SCOPE',
      adapters: ['function', 'function', 'function'],
    });
  });

  test('TypeScript with strict (no skipLibCheck): the types resolve and catch a mistake', async () => {
    const tarball = join(h.dataDir, readdirSync(h.dataDir).find((f) => f.endsWith('.tgz')) ?? '');
    const project = await scratchProject(tarball, ['fastify']);
    try {
      const tsconfig = {
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
        },
        files: ['app.ts'],
      };
      writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
      // The @ts-expect-error fails the compile if the types were `any` (unresolved) instead of real.
      writeFileSync(
        join(project, 'app.ts'),
        `import { createKeyward, type VerifyResult, ApiProblem } from '@keyward/sdk';
import { keyward } from '@keyward/sdk/fastify';
import { protect, errorHandler } from '@keyward/sdk/express';
import * as hono from '@keyward/sdk/hono';
import Fastify from 'fastify';
const kw = createKeyward({ baseUrl: 'http://127.0.0.1:1', token: 'kw_x', changeStream: false });
const app = Fastify();
await app.register(keyward, { keyward: kw, requiredScopes: ['instances:read'] });
app.get('/x', { config: { keyward: { requiredScopes: ['instances:read'] } } }, async (request) => ({ id: request.keyward?.tokenId }));
const result: VerifyResult = await kw.verify('kw_token', ['instances:read']);
const code: 'VALID' | string = result.code;
// @ts-expect-error a code is a string union, never a number
const wrong: number = result.code;
const mw = protect(kw, ['a:b']);
const eh = errorHandler(kw);
const h = hono.protect(kw);
new ApiProblem(404, 'NOT_FOUND', 'no such instance');
export { code, mw, eh, h, wrong };
`,
      );
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
      const compiled = await run(process.execPath, [tsc, '-p', project], { cwd: project }).then(
        () => 'ok',
        (error: { stdout: string }) => error.stdout,
      );
      expect(compiled).toBe('ok');
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 400_000);
});
