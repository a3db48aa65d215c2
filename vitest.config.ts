import { defineConfig } from 'vitest/config';
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';

/**
 * The files that take minutes, longest first (seconds in a full run on 2 cores). They start before
 * everything else, so none of them begins late and alone bounds the run; without this, a run with
 * no results cache (CI) starts the largest files first, and these are small files.
 */
const LONG_FILES = [
  'tests/e2e/container/image.test.ts', // ~340 s: podman build
  'tests/e2e/console/layout-desktop.test.ts',
  'tests/e2e/console/layout-tablet.test.ts',
  'tests/e2e/console/layout-phone.test.ts',
  'tests/e2e/python/pytest.test.ts', // ~130 s
  'tests/e2e/chaos/redis-postgres.test.ts', // ~115 s
  'tests/e2e/console/tokens.test.ts', // ~100 s
  'tests/e2e/chaos/postgres-only.test.ts', // ~95 s
];

class LongFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const at = LONG_FILES.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
      return at < 0 ? LONG_FILES.length : at;
    };
    // Array#sort is stable: the rest keep the base order (failed first, then longest last time).
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most files wait on servers, browsers and databases: three at a time keep the 2 cores busy.
    maxWorkers: 3,
    sequence: { sequencer: LongFirst },
  },
});
