/** Turns a chaos run's records into its figures and its invariant violations (pure). */
import { type Answer, type Kind, type LoadResult, WRITE_KINDS } from './load.ts';

export type Fault = {
  name: 'node-kill' | 'postgres-restart' | 'redis-restart' | 'bus-cut';
  /** The node it hits; undefined: every node. */
  node?: number;
  start: number;
  /** When the fault was lifted: process respawned, server accepting again, user re-enabled. */
  end: number;
  /** node-kill: when the respawned process answered /healthz. */
  healthyAt?: number;
  note?: string;
};

/** Time a node may take to notice a lifted fault (reconnect, resubscribe) and still be in it. */
const SETTLE_MS = 3_000;
/** Longest a node may take, after a fault is lifted, to acknowledge writes again. */
const RECOVERY_BOUND_MS = 15_000;

function countBy(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

/** Distinct missed changes per acknowledging node, and the first few of them in time. */
function lateChanges(late: LoadResult['lateAdmissions']) {
  const changes = new Map<string, { on: number; at: number; kind: string; admissions: number }>();
  for (const l of late) {
    const key = `${l.kind}@${l.changedOn}@${l.changedAt}`;
    const entry = changes.get(key) ?? { on: l.changedOn, at: l.changedAt, kind: l.kind, admissions: 0 };
    entry.admissions += 1;
    changes.set(key, entry);
  }
  const list = [...changes.values()].sort((a, b) => a.at - b.at);
  return {
    missed_changes: list.length,
    by_acknowledging_node: countBy(list.map((c) => `node ${c.on}`)),
    first: list
      .slice(0, 5)
      .map((c) => `${c.kind} on node ${c.on} at ${(c.at / 1000).toFixed(1)} s: ${c.admissions} late`),
  };
}

const overlaps = (a: Answer, from: number, to: number) => a.received >= from && a.sent <= to;
const isWrite = (kind: Kind) => WRITE_KINDS.includes(kind);

/**
 * A 503 with Retry-After is the one acceptable 5xx: for anything while the database is down,
 * and (issue 15's "not acknowledged" option) for a change a node cannot make known to the
 * others: while Redis is down or that node is cut from the bus.
 */
function excused503(a: Answer, faults: Fault[]): boolean {
  if (a.status !== 503 || !a.retryAfter) return false;
  return faults.some((f) => {
    if (!overlaps(a, f.start, f.end + SETTLE_MS)) return false;
    if (f.name === 'postgres-restart') return true;
    if (f.name === 'redis-restart') return isWrite(a.kind);
    if (f.name === 'bus-cut') return f.node === a.node && isWrite(a.kind);
    return false;
  });
}

/** No answer is expected only from the node that was killed, until it is back. */
function excusedSilence(a: Answer, faults: Fault[]): boolean {
  return faults.some(
    (f) =>
      f.name === 'node-kill' &&
      f.node === a.node &&
      overlaps(a, f.start, (f.healthyAt ?? Number.POSITIVE_INFINITY) + 1_000),
  );
}

export type EndCheck = {
  /** Acknowledged live secrets a node refused at the end, or whose token is not active. */
  lost: { node: number | 'database'; id: string; status: number | string }[];
  /** Acknowledged revoked or replaced secrets some node admitted at the end. */
  resurrected: { node: number; id: string }[];
  notReady: number[];
  checked: { live: number; revoked: number };
};

export function evaluate(load: LoadResult, faults: Fault[], end: EndCheck, limit: number, nodes: number) {
  const byKind: Record<string, number> = {};
  const fiveXx: Record<string, number> = {};
  const unexcused5xx: Record<string, number> = {};
  let unexcusedSilence = 0;
  const silenceByNode: Record<string, number> = {};
  const unexcusedSilenceSample: string[] = [];
  let silence = 0;
  for (const a of load.answers) {
    byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
    if (a.status >= 500) {
      const key = `${a.status}${a.retryAfter ? ' +Retry-After' : ''}`;
      fiveXx[key] = (fiveXx[key] ?? 0) + 1;
      if (!excused503(a, faults))
        unexcused5xx[`${key} ${a.kind}`] = (unexcused5xx[`${key} ${a.kind}`] ?? 0) + 1;
    }
    if (a.status === 0) {
      silence += 1;
      silenceByNode[`node ${a.node}`] = (silenceByNode[`node ${a.node}`] ?? 0) + 1;
      if (!excusedSilence(a, faults)) {
        unexcusedSilence += 1;
        if (unexcusedSilenceSample.length < 5)
          unexcusedSilenceSample.push(
            `${a.kind} node ${a.node} sent ${Math.round(a.sent)} after ${Math.round(a.received - a.sent)} ms`,
          );
      }
    }
  }
  // Per fault and node: from the lift to the first acknowledged write that node answered.
  const recovery = faults.map((f) => {
    const perNode = Array.from({ length: nodes }, (_, node) => {
      const first = load.answers
        .filter(
          (a) => a.node === node && isWrite(a.kind) && a.sent >= f.end && a.status >= 200 && a.status < 300,
        )
        .reduce((min, a) => Math.min(min, a.received), Number.POSITIVE_INFINITY);
      return first === Number.POSITIVE_INFINITY ? null : Math.round(first - f.end);
    });
    return {
      fault: f.name,
      node: f.node ?? 'all',
      at_s: +(f.start / 1000).toFixed(1),
      lasted_ms: Math.round(f.end - f.start),
      note: f.note,
      ...(f.healthyAt !== undefined ? { healthy_after_respawn_ms: Math.round(f.healthyAt - f.end) } : {}),
      recovery_ms: perNode,
    };
  });
  const unrecovered = recovery.flatMap((r) =>
    r.recovery_ms.flatMap((ms, node) =>
      // The killed node itself comes back by a restart, as fast as this machine starts a process.
      ms === null || (ms > RECOVERY_BOUND_MS && !(r.fault === 'node-kill' && r.node === node))
        ? [`${r.fault}: node ${node} ${ms ?? 'never'}`]
        : [],
    ),
  );
  const late = load.lateAdmissions;
  const figures = {
    requests: load.answers.length,
    requests_by_kind: byKind,
    acknowledged_writes: load.acknowledged,
    lost: end.lost.length,
    resurrected: end.resurrected.length,
    late_admissions: late.length,
    late_admissions_by_node: countBy(late.map((l) => `node ${l.node} (${l.kind})`)),
    late_max_ms: late.reduce((m, l) => Math.max(m, Math.round(l.delayMs)), 0),
    max_admission_after_ack_ms: Number.isFinite(load.maxAdmissionAfterAck)
      ? Math.round(load.maxAdmissionAfterAck)
      : null,
    live_refusals: load.liveRefusals.length,
    five_xx: fiveXx,
    unanswered: silence,
    unanswered_by_node: silenceByNode,
    unanswered_unexcused_sample: unexcusedSilenceSample,
    // The acknowledged changes some node missed, by the node that acknowledged them.
    late_changes: lateChanges(late),
    limited_token: { limit, admitted: load.limitedAdmitted },
    end_check: end.checked,
    recovery,
  };
  const violations = {
    lost: end.lost.slice(0, 10),
    resurrected: end.resurrected.slice(0, 10),
    late_admissions: late.length,
    live_refusals: load.liveRefusals.length,
    unexcused_5xx: unexcused5xx,
    unanswered_outside_a_killed_node: unexcusedSilence,
    over_limit: Math.max(0, load.limitedAdmitted - limit),
    unrecovered,
    not_ready_at_end: end.notReady,
  };
  return { figures, violations };
}

export const NO_VIOLATIONS = {
  lost: [],
  resurrected: [],
  late_admissions: 0,
  live_refusals: 0,
  unexcused_5xx: {},
  unanswered_outside_a_killed_node: 0,
  over_limit: 0,
  unrecovered: [],
  not_ready_at_end: [],
};
