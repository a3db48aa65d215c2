/**
 * Chaos under load, three nodes on PostgreSQL alone (no Redis: PostgreSQL is the bus, issue 14
 * item 4): the same timeline without the Redis restart; the bus cut terminates the node's LISTEN
 * connection for 6 s.
 */
import { describe, expect, test } from 'vitest';
import { NO_VIOLATIONS } from './invariants.ts';
import { runScenario } from './scenario.ts';

describe('chaos: 3 nodes, PostgreSQL alone', () => {
  test('kill -9 a node, restart PostgreSQL, cut a node off the bus — under load', async () => {
    const { figures, violations, logs } = await runScenario({ redis: false, loadSeconds: 60 });
    process.stdout.write(`chaos figures (PostgreSQL only):\n${JSON.stringify(figures, null, 2)}\n`);
    expect(violations, logs).toEqual(NO_VIOLATIONS);
  }, 300_000);
});
