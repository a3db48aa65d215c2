/**
 * Chaos under load, three nodes on PostgreSQL + Redis (issue 14 item 5): see scenario.ts for the
 * timeline and invariants.ts for what is judged. The figures are printed whatever the outcome.
 */
import { describe, expect, test } from 'vitest';
import { NO_VIOLATIONS } from './invariants.ts';
import { runScenario } from './scenario.ts';

describe('chaos: 3 nodes, PostgreSQL + Redis', () => {
  test('kill -9 a node, restart PostgreSQL, restart Redis, cut a node off the bus — under load', async () => {
    const { figures, violations, logs } = await runScenario({ redis: true, loadSeconds: 66 });
    process.stdout.write(`chaos figures (PostgreSQL + Redis):\n${JSON.stringify(figures, null, 2)}\n`);
    expect(violations, logs).toEqual(NO_VIOLATIONS);
  }, 300_000);
});
