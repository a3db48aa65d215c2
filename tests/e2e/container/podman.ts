import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * What runs containers on these machines (measured): Debian's podman with runc (crun fails on the
 * kernel's hybrid cgroups), the cgroupfs manager (no systemd), no default ulimits, host network.
 * Written to a file of the test's own and named by CONTAINERS_CONF: /etc stays untouched.
 */
export function writeContainersConf(dir: string): string {
  const path = join(dir, 'containers.conf');
  writeFileSync(
    path,
    [
      '[containers]',
      'default_ulimits = []',
      '[engine]',
      'cgroup_manager = "cgroupfs"',
      'runtime = "runc"',
      'events_logger = "file"',
      '',
    ].join('\n'),
  );
  return path;
}

export type Podman = (args: string[], options?: { timeout?: number }) => Promise<string>;

export function podmanWith(containersConf: string): Podman {
  return async (args, options = {}) => {
    const { stdout } = await run('podman', args, {
      env: { ...process.env, CONTAINERS_CONF: containersConf },
      maxBuffer: 64 * 1024 * 1024,
      timeout: options.timeout ?? 120_000,
    });
    return stdout;
  };
}
