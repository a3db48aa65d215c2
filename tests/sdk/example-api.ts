import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, stopChild, waitForPort } from '../e2e/processes.ts';
import { ROOT, scratchProject } from './scratch-project.ts';

export type RunningExample = {
  url: string;
  child: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
};

/** Copies examples/NAME into a scratch project with the packed SDK installed, and starts it. */
export async function startExample(
  name: string,
  tarball: string,
  frameworks: string[],
  env: Record<string, string>,
): Promise<RunningExample & { dir: string }> {
  const dir = await scratchProject(tarball, frameworks);
  for (const file of readdirSync(join(ROOT, 'examples', name)))
    if (file.endsWith('.js')) cpSync(join(ROOT, 'examples', name, file), join(dir, file));
  return { ...(await startIn(dir, env)), dir };
}

export async function startIn(dir: string, env: Record<string, string>): Promise<RunningExample> {
  const port = await freePort();
  const child = spawn(process.execPath, ['server.js'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  await waitForPort(port, child, () => output);
  return { url: `http://127.0.0.1:${port}`, child, log: () => output, stop: () => stopChild(child) };
}
