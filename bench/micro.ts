/**
 * In-process micro-benchmark: the cached verify path (`deps.verifier.verify` on a warm cache, as the
 * SDK middleware would call it in-process) against the bare minimum any cache needs, a SHA-256 of
 * the token and a Map lookup.
 */
import { createHash, hash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeps, loadConfig } from '@keyward/server';
import { seedDatabase } from './seed.ts';

export type MicroResult = {
  iterations: number;
  verifyNsPerOp: number;
  sha256MapNsPerOp: number;
  /** The same with Node's one-shot `crypto.hash` (no Hash object): the tightest possible baseline. */
  oneShotSha256MapNsPerOp: number;
  ratio: number;
  ratioToOneShot: number;
};

async function best(rounds: number, iterations: number, run: (n: number) => Promise<void> | void) {
  let bestNs = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const started = process.hrtime.bigint();
    await run(iterations);
    const ns = Number(process.hrtime.bigint() - started) / iterations;
    if (ns < bestNs) bestNs = ns;
  }
  return bestNs;
}

export async function microBenchmark(iterations = 300_000, rounds = 5): Promise<MicroResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyward-micro-'));
  const pepper = randomBytes(32).toString('hex');
  const { gateway: token } = await seedDatabase(dataDir, pepper, 10);
  const config = loadConfig({}, { dataDir, pepper, logLevel: 'silent' });
  const deps = await createDeps(config);
  try {
    const first = await deps.verifier.verify(token, ['api:read']);
    if (!first.outcome.valid) throw new Error(`micro-benchmark token refused: ${first.outcome.code}`);
    let sink = 0;
    const verifyNs = await best(rounds, iterations, async (n) => {
      for (let i = 0; i < n; i++) {
        const result = await deps.verifier.verify(token, ['api:read']);
        if (result.cached) sink++;
      }
    });
    const map = new Map([[createHash('sha256').update(token).digest('hex'), first.lookup]]);
    const bareNs = await best(rounds, iterations, (n) => {
      for (let i = 0; i < n; i++) if (map.get(createHash('sha256').update(token).digest('hex'))) sink++;
    });
    const oneShotNs = await best(rounds, iterations, (n) => {
      for (let i = 0; i < n; i++) if (map.get(hash('sha256', token))) sink++;
    });
    if (sink === 0) throw new Error('nothing was verified');
    return {
      iterations,
      verifyNsPerOp: Math.round(verifyNs),
      sha256MapNsPerOp: Math.round(bareNs),
      oneShotSha256MapNsPerOp: Math.round(oneShotNs),
      ratio: verifyNs / bareNs,
      ratioToOneShot: verifyNs / oneShotNs,
    };
  } finally {
    await deps.rateLimits.close();
    await deps.storage.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
