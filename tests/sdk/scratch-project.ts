import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const ROOT = new URL('../../', import.meta.url).pathname;

/** `npm pack` of @keyward/sdk (packages/sdk/pack.mjs): the tarball's path. */
export async function packSdk(outDir: string): Promise<string> {
  const packed = await run(process.execPath, [join(ROOT, 'packages/sdk/pack.mjs'), '--out', outDir], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return packed.stdout.trim().split('\n').at(-1) ?? '';
}

/**
 * A provider's project outside the workspace, with the packed SDK installed by npm from the
 * tarball (offline: it has no dependencies) and, when named, framework packages the provider
 * already has (linked from this machine's copy, since nothing may be downloaded here).
 */
export async function scratchProject(tarball: string, frameworks: string[] = []): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-provider-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'provider', private: true, type: 'module' }),
  );
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', tarball], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const name of frameworks) {
    const target = join(dir, 'node_modules', name);
    mkdirSync(join(target, '..'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), target, 'dir');
  }
  return dir;
}

export const installedManifest = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'node_modules/@keyward/sdk/package.json'), 'utf8'));
