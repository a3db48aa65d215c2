// Writes the SDK's API types from the OpenAPI document the server serves (GET /openapi.json).
//   npm run generate:api                 build the app in-process (throwaway SQLite), write the file
//   npm run generate:api -- --check      exit 1 when the committed file differs from the document
//   npm run generate:api -- --url URL    read the document from a running server instead
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type OpenApiDocument, openApiToTypeScript } from './openapi-to-ts.ts';

const ROOT = resolve(import.meta.dirname, '..');
export const GENERATED_PATH = join(ROOT, 'packages/sdk/src/generated/openapi.ts');

/** The document exactly as `GET /openapi.json` answers it, from an app on a throwaway database. */
export async function servedOpenApiDocument(): Promise<OpenApiDocument> {
  const { createStorage, migrateToLatest } = await import('@keyward/storage');
  const { buildApp } = await import('../apps/server/src/app.ts');
  const { loadConfig } = await import('../apps/server/src/config.ts');
  const { createDeps } = await import('../apps/server/src/deps.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'keyward-openapi-'));
  const storage = createStorage({ kind: 'sqlite', path: join(dataDir, 'keyward.db') });
  try {
    await migrateToLatest(storage);
    const config = loadConfig({}, { dataDir, logLevel: 'silent', pepper: randomBytes(32).toString('hex') });
    const deps = await createDeps(config, { storage });
    const app = await buildApp(deps);
    try {
      const response = await app.inject({ method: 'GET', url: '/openapi.json' });
      if (response.statusCode !== 200) throw new Error(`GET /openapi.json answered ${response.statusCode}`);
      return response.json() as OpenApiDocument;
    } finally {
      await app.close();
      await deps.rateLimits.close();
      await deps.invalidationBus?.close();
    }
  } finally {
    await storage.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The generated module, formatted as the repository formats TypeScript (biome). */
export function renderApiTypes(document: OpenApiDocument): string {
  const biome = join(ROOT, 'node_modules/.bin/biome');
  return execFileSync(biome, ['format', `--stdin-file-path=${GENERATED_PATH}`], {
    cwd: ROOT,
    input: openApiToTypeScript(document),
    encoding: 'utf8',
  });
}

async function main(argv: string[]) {
  const urlAt = argv.indexOf('--url');
  const document =
    urlAt >= 0
      ? ((await (await fetch(new URL('/openapi.json', argv[urlAt + 1]))).json()) as OpenApiDocument)
      : await servedOpenApiDocument();
  const source = renderApiTypes(document);
  if (argv.includes('--check')) {
    const current = readFileSync(GENERATED_PATH, 'utf8');
    if (current !== source) {
      console.error(`${GENERATED_PATH} differs from the served OpenAPI document; run npm run generate:api`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(GENERATED_PATH, source);
  console.log(`wrote ${GENERATED_PATH}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
