import { existsSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { KeywardError } from '@keyward/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, Deps } from '../types.ts';

/** Paths that belong to the API and its documentation: never answered with the console. */
const API_PREFIXES = ['/v1', '/admin', '/docs', '/openapi.json', '/healthz', '/readyz', '/metrics'];

/**
 * The console's pages allow their own origin only: no inline scripts or styles, no framing,
 * no referrer (a URL could otherwise leak to other sites).
 */
const CONSOLE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Where a built console may be: next to the server sources, or next to the CLI bundle. */
const DEFAULT_CANDIDATES = [
  new URL('../../../console/dist', import.meta.url), // apps/server/src/plugins → apps/console/dist
  new URL('../../console/dist', import.meta.url), // apps/cli/dist → apps/console/dist
];

function hasIndex(dir: string): boolean {
  try {
    return statSync(resolve(dir, 'index.html')).isFile();
  } catch {
    return false;
  }
}

/** The configured directory, or the first default candidate holding an index.html. */
export function resolveConsoleDir(configured: string | undefined): string | null {
  if (configured) return hasIndex(resolve(configured)) ? resolve(configured) : null;
  for (const candidate of DEFAULT_CANDIDATES) {
    const dir = fileURLToPath(candidate);
    if (existsSync(dir) && hasIndex(dir)) return dir;
  }
  return null;
}

function isApiPath(path: string): boolean {
  return API_PREFIXES.some(
    (prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`),
  );
}

function pathOf(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url;
  const cut = url.indexOf('?');
  return cut === -1 ? url : url.slice(0, cut);
}

function acceptsHtml(request: FastifyRequest): boolean {
  return String(request.headers.accept ?? '').includes('text/html');
}

/** A file inside the console directory for this path, or null (no traversal, no directories). */
async function fileFor(root: string, path: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const target = resolve(root, `.${decoded}`);
  const rel = relative(root, target);
  if (!rel || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).some((part) => part.startsWith('.')))
    return null;
  try {
    return (await stat(target)).isFile() ? rel.split(sep).join('/') : null;
  } catch {
    return null;
  }
}

/**
 * Serves the built console (apps/console/dist) at `/` on the API's origin. It adds no routes: a
 * GET that matches no route is looked at before the not-found handler runs. A file of the build is
 * sent; a request that wants HTML and is not an API path gets index.html (the console routes in the
 * browser); anything else falls through to the shared problem+json 404.
 */
export async function registerConsole(app: App, deps: Deps): Promise<void> {
  const root = resolveConsoleDir(deps.config.consoleDir);
  if (root) {
    await app.register(fastifyStatic, { root, serve: false, index: false });
  } else {
    app.log.warn(
      deps.config.consoleDir
        ? `KEYWARD_CONSOLE_DIR=${deps.config.consoleDir} holds no index.html; the console is not served`
        : 'The console is not built (apps/console/dist is missing); run `npm run build` to serve it',
    );
  }

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.is404 || (request.method !== 'GET' && request.method !== 'HEAD')) return;
    const path = pathOf(request);
    if (isApiPath(path)) return;
    if (!root) {
      if (path === '/' || acceptsHtml(request)) {
        throw new KeywardError(
          'ROUTE_NOT_FOUND',
          'The console is not built on this server; the API is at /v1',
        );
      }
      return;
    }
    const file = path === '/' ? null : await fileFor(root, path);
    if (!file && path !== '/' && !acceptsHtml(request)) return;
    for (const [name, value] of Object.entries(CONSOLE_HEADERS)) reply.header(name, value);
    // Vite names built assets by content hash, so they never change; everything else is revalidated.
    const immutable = file?.startsWith('assets/') ?? false;
    reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    await reply.sendFile(file ?? 'index.html', root, { cacheControl: false });
    return reply;
  });
}
