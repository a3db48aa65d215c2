import { createHmac, hkdfSync } from 'node:crypto';
import { canonicalize } from './canonical-json.ts';
import { constantTimeEqual, type PepperRing } from './hashing.ts';

/**
 * The audit chain: each event carries HMAC-SHA-256(event key, JCS(record without `hash`)), and the
 * record names the previous event's MAC, so a writer without the key (which lives with the pepper,
 * outside the database) cannot alter, insert or re-link an event. Signed checkpoints pin the head,
 * so cutting the end off (or rewinding to an earlier state) is caught against any earlier one.
 * See docs/adr/0008-audit-chain.md for the exact form, which outside tools can recompute.
 */

/** The `prev_hash` of the first event. */
export const AUDIT_GENESIS = '0'.repeat(64);

const EVENT_KEY_INFO = 'keyward/audit-chain/event/v1';
const CHECKPOINT_KEY_INFO = 'keyward/audit-chain/checkpoint/v1';
const CHECKPOINT_TYPE = 'keyward.audit.checkpoint.v1';

/**
 * One event as exported (`GET /v1/audit`): exactly the object whose canonical form is MACed, plus
 * `hash`. Times are ISO 8601 with milliseconds, as exported.
 */
export type AuditRecord = {
  seq: number;
  id: string;
  occurred_at: string;
  actor: { type: string; id: string | null; via_token_id: string | null };
  project_id: string | null;
  action: string;
  target: { type: string | null; id: string | null };
  ip: string | null;
  user_agent: string | null;
  changes: Record<string, unknown> | null;
  /** How many occurrences this event stands for (a coalesced flood is one event). */
  count: number;
  /** The pepper version whose derived key MACs this event; null for events from before keying. */
  key_version: number | null;
  prev_hash: string;
};

export type AuditCheckpoint = {
  seq: number;
  /** The MAC (`hash`) of event `seq`, or the genesis value for an empty chain. */
  head: string;
  issued_at: string;
  key_version: number;
  mac: string;
};

type AuditKey = { event: Buffer; checkpoint: Buffer };

function derive(pepper: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', pepper, Buffer.alloc(0), info, 32));
}

function hmacHex(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

/** Keys derived from each pepper version (HKDF-SHA-256): the pepper itself never MACs events. */
export function createAuditKeys(ring: PepperRing) {
  const keys = new Map<number, AuditKey>();
  for (const pepper of [ring.current, ...ring.previous]) {
    keys.set(pepper.version, {
      event: derive(pepper.key, EVENT_KEY_INFO),
      checkpoint: derive(pepper.key, CHECKPOINT_KEY_INFO),
    });
  }
  const currentVersion = ring.current.version;
  return {
    /** The version new events and checkpoints are MACed with. */
    currentVersion,
    /** The event's MAC under its `key_version`; null when that version's pepper is not configured. */
    eventMac(record: AuditRecord): string | null {
      const key = record.key_version === null ? undefined : keys.get(record.key_version);
      return key ? hmacHex(key.event, canonicalize(record)) : null;
    },
    signCheckpoint(seq: number, head: string, issuedAtMs: number): AuditCheckpoint {
      const unsigned = {
        seq,
        head,
        issued_at: new Date(issuedAtMs).toISOString(),
        key_version: currentVersion,
      };
      const key = keys.get(currentVersion) as AuditKey;
      return {
        ...unsigned,
        mac: hmacHex(key.checkpoint, canonicalize({ type: CHECKPOINT_TYPE, ...unsigned })),
      };
    },
    /** Whether a checkpoint was issued by a holder of the key (and not edited since). */
    checkpointValid(checkpoint: AuditCheckpoint): boolean {
      const key = keys.get(checkpoint.key_version);
      if (!key) return false;
      const { mac, ...unsigned } = checkpoint;
      return constantTimeEqual(
        mac,
        hmacHex(key.checkpoint, canonicalize({ type: CHECKPOINT_TYPE, ...unsigned })),
      );
    },
  };
}

export type AuditKeys = ReturnType<typeof createAuditKeys>;

export type ChainBreak =
  | 'sequence_gap'
  | 'link_mismatch'
  | 'mac_mismatch'
  | 'unknown_key'
  | 'head_mismatch'
  | 'checkpoint_mismatch'
  | 'truncated';

/**
 * Walks a chain in seq order, one event at a time, and says where and why it first breaks. Pure:
 * the store feeds it events in batches and ends with the head it keeps and any checkpoints.
 */
export function createChainWalk(
  keys: AuditKeys,
  checkpoints: readonly Pick<AuditCheckpoint, 'seq' | 'head'>[],
) {
  const pinned = new Map(checkpoints.map((c) => [c.seq, c.head]));
  const furthest = Math.max(0, ...checkpoints.map((c) => c.seq));
  let count = 0;
  let lastSeq = 0;
  let lastHash = AUDIT_GENESIS;
  let broken: { seq: number; reason: ChainBreak } | null = null;
  if (pinned.has(0) && pinned.get(0) !== AUDIT_GENESIS) broken = { seq: 0, reason: 'checkpoint_mismatch' };

  return {
    /** Feeds the next event; false once the chain is broken (stop feeding). */
    next(record: AuditRecord, hash: string): boolean {
      if (broken) return false;
      const seq = record.seq;
      const mac = keys.eventMac(record);
      if (seq !== lastSeq + 1) broken = { seq: lastSeq + 1, reason: 'sequence_gap' };
      else if (record.prev_hash !== lastHash) broken = { seq, reason: 'link_mismatch' };
      else if (mac === null) broken = { seq, reason: 'unknown_key' };
      else if (!constantTimeEqual(mac, hash)) broken = { seq, reason: 'mac_mismatch' };
      else if (pinned.has(seq) && pinned.get(seq) !== hash) broken = { seq, reason: 'checkpoint_mismatch' };
      if (broken) return false;
      count++;
      lastSeq = seq;
      lastHash = hash;
      return true;
    },
    /** The verdict, given the head the store keeps (its last seq and hash). */
    finish(head: { seq: number; hash: string }) {
      if (!broken && furthest > lastSeq) broken = { seq: lastSeq + 1, reason: 'truncated' };
      if (!broken && (head.seq !== lastSeq || head.hash !== lastHash))
        broken = { seq: lastSeq + 1, reason: 'head_mismatch' };
      return broken
        ? {
            ok: false as const,
            count,
            brokenAt: broken.seq,
            reason: broken.reason,
            head: { seq: lastSeq, hash: lastHash },
          }
        : { ok: true as const, count, head: { seq: lastSeq, hash: lastHash } };
    },
  };
}

export type ChainVerdict = ReturnType<ReturnType<typeof createChainWalk>['finish']>;
