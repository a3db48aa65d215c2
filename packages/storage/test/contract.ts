import { afterAll, beforeAll, describe } from 'vitest';
import { migrateToLatest, type Storage } from '../src/index.ts';
import { auditContract } from './contract-audit.ts';
import { cacheChangesContract } from './contract-cache-changes.ts';
import { controlsContract } from './contract-controls.ts';
import { entitiesContract } from './contract-entities.ts';
import { invitationsContract } from './contract-invitations.ts';
import { lookupContract } from './contract-lookup.ts';
import { tokensContract } from './contract-tokens.ts';

export type Harness = {
  storage: Storage;
  /** Runs SQL on a separate connection, behind the repositories' back (to tamper with rows). */
  raw(statement: string): Promise<void>;
  /** Closes the storage and removes the database. */
  dispose(): Promise<void>;
};

export type HarnessContext = () => Harness;

/** The one storage contract; every dialect runs all of it against a fresh, migrated database. */
export function describeStorageContract(name: string, makeHarness: () => Promise<Harness>): void {
  describe(`storage contract: ${name}`, () => {
    let harness: Harness | undefined;
    const ctx: HarnessContext = () => {
      if (harness === undefined) throw new Error('harness not ready');
      return harness;
    };

    beforeAll(async () => {
      harness = await makeHarness();
      const applied = await migrateToLatest(harness.storage);
      if (!applied.includes('0001-initial')) throw new Error(`migrations applied: ${applied.join(', ')}`);
    });

    afterAll(async () => {
      await harness?.dispose();
    });

    entitiesContract(ctx);
    tokensContract(ctx);
    cacheChangesContract(ctx);
    lookupContract(ctx);
    auditContract(ctx);
    invitationsContract(ctx);
    controlsContract(ctx);
  });
}
