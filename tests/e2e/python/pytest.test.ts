import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;

// The Python package's own suite (pytest against real Keyward servers it starts), run by the
// README's test command on Debian's Python: installed by scripts/test-prerequisites.sh.
test('the Python package passes its pytest suite', { timeout: 900_000 }, () => {
  const run = spawnSync('/usr/bin/python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'], {
    cwd: join(ROOT, 'clients/python'),
    encoding: 'utf8',
    env: { ...process.env, KEYWARD_BIN: join(ROOT, 'apps/cli/bin/keyward.js'), PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (run.status !== 0) console.error(run.stdout, run.stderr);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/\d+ passed/);
  expect(run.stdout).not.toMatch(/failed|error/);
});
