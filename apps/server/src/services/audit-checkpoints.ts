import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AuditCheckpoint, AuditKeys } from '@keyward/core';
import type { Storage } from '@keyward/storage';
import type { Logger } from 'pino';

export type AuditCheckpointsOptions = {
  storage: Storage;
  keys: AuditKeys;
  now: () => number;
  logger: Logger;
  /** Where this node keeps its latest checkpoint, outside the database. */
  file: string;
};

function readCheckpoint(file: string, keys: AuditKeys, logger: Logger): AuditCheckpoint | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const checkpoint = JSON.parse(text) as AuditCheckpoint;
    if (keys.checkpointValid(checkpoint)) return checkpoint;
  } catch {
    // reported below, like a checkpoint whose MAC fails
  }
  logger.warn({ file }, 'the stored audit checkpoint does not verify (edited, or another key); ignored');
  return null;
}

/**
 * Signed checkpoints of the audit chain head: written to the log and to a file beside the pepper,
 * and handed out by `GET /v1/audit/checkpoint`, so a chain cut short or rewound in the database is
 * caught by `GET /v1/audit/verify` against any of them.
 */
export function createAuditCheckpoints({ storage, keys, now, logger, file }: AuditCheckpointsOptions) {
  let latest = readCheckpoint(file, keys, logger);

  /** Whether the chain as it is now still contains the remembered checkpoint (not cut, not rewound). */
  async function extendsLatest(): Promise<boolean> {
    if (latest === null) return true;
    return (await storage.audit.verifyChain(keys, [latest])).ok;
  }

  async function issue(): Promise<AuditCheckpoint> {
    const head = await storage.audit.head();
    const checkpoint = keys.signCheckpoint(head.seq, head.hash, now());
    logger.info({ audit_checkpoint: checkpoint }, 'audit checkpoint');
    // The file only moves forward along one chain, so the evidence of a rewind is never overwritten.
    if (await extendsLatest()) {
      const staging = `${file}.tmp`;
      writeFileSync(staging, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
      renameSync(staging, file);
      latest = checkpoint;
    } else {
      logger.error(
        { audit_checkpoint: latest },
        'the audit chain no longer contains the last checkpoint (cut short, rewound or altered); kept it',
      );
    }
    return checkpoint;
  }

  return {
    issue,
    /** A new checkpoint only when the chain grew since the last one (the periodic tick). */
    async issueIfGrown(): Promise<void> {
      const head = await storage.audit.head();
      if (latest === null || head.seq > latest.seq) await issue();
    },
    /** The latest checkpoint this node issued (or found in its file at start). */
    latest: (): AuditCheckpoint | null => latest,
  };
}

export type AuditCheckpoints = ReturnType<typeof createAuditCheckpoints>;
