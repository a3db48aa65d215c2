import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { concurrentAgent, countStatuses, httpGet } from '../../apps/server/test/rate-limit-http.ts';
import { type RunningExample, startExample, startIn } from './example-api.ts';
import { packSdk } from './scratch-project.ts';
import { createToken, type KeywardOnSocket } from './sdk-harness.ts';
import { type SecondNode, twoNodes } from './two-nodes.ts';

const REQUESTS = 1000;
const LIMIT = 100;

/**
 * Exact limits without a call per request: three provider processes (the Fastify example, SDK
 * from the packed tarball) lease units from two Keyward nodes sharing Redis, while the gateway
 * door (/v1/authorize) counts per request. 1,000 concurrent requests against 100/min.
 */
describe('one token limit across three provider processes, two Keyward nodes and the gateway door', () => {
  let a: KeywardOnSocket;
  let b: SecondNode;
  const providers: (RunningExample & { dir?: string })[] = [];
  beforeAll(async () => {
    ({ a, b } = await twoNodes());
    const tarball = await packSdk(a.dataDir);
    const provider = await createToken(
      a,
      ['tokens:verify', 'errors:write'],
      [{ limit: 1_000_000, window_seconds: 60 }],
    );
    // Generous: both Keyward nodes share this test's one process on a loaded machine.
    const env = (url: string) => ({
      KEYWARD_URL: url,
      KEYWARD_TOKEN: provider.token,
      KEYWARD_TIMEOUT_MS: '30000',
    });
    const first = await startExample('fastify-api', tarball, ['fastify'], env(a.url));
    providers.push(first);
    providers.push(await startIn(first.dir, env(a.url)));
    providers.push(await startIn(first.dir, env(b.url)));
  }, 300_000);
  afterAll(async () => {
    await Promise.all(providers.map((p) => p.stop()));
    if (providers[0]?.dir) rmSync(providers[0].dir, { recursive: true, force: true });
    await b?.close();
    await a?.close();
  });

  test(`${REQUESTS} concurrent requests against ${LIMIT}/min: at most ${LIMIT} admitted, at least 95`, async () => {
    const caller = await createToken(a, ['instances:read'], [{ limit: LIMIT, window_seconds: 60 }]);
    const targets = [
      ...providers.map((p) => `${p.url}/v1/instances`),
      `${b.url}/v1/authorize`, // the gateway door
    ];
    const agents = targets.map(() => concurrentAgent(64));
    try {
      const answers = await Promise.all(
        Array.from({ length: REQUESTS }, (_, i) => {
          const at = i % targets.length;
          return httpGet(
            targets[at] as string,
            caller.token,
            agents[at] as ReturnType<typeof concurrentAgent>,
          );
        }),
      );
      const counts = countStatuses(answers);
      const perTarget = targets.map((_, t) =>
        countStatuses(answers.filter((_, i) => i % targets.length === t)),
      );
      const failed = answers.find((x) => x.status >= 500);
      if (failed)
        process.stdout.write(
          `a failed answer: ${failed.body}\n${providers.map((p) => p.log()).join('\n')}\n`,
        );
      process.stdout.write(
        `exact limit: ${JSON.stringify(counts)}; per target ${JSON.stringify(perTarget)}\n`,
      );
      const admitted = counts[200] ?? 0;
      expect(admitted).toBeLessThanOrEqual(LIMIT);
      expect(admitted).toBeGreaterThanOrEqual(95);
      expect(admitted + (counts[429] ?? 0)).toBe(REQUESTS);
    } finally {
      for (const agent of agents) agent.destroy();
    }
  });
});
