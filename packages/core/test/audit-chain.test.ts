import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_GENESIS,
  type AuditRecord,
  canonicalize,
  createAuditKeys,
  createChainWalk,
} from '../src/index.ts';

describe('RFC 8785 canonical JSON', () => {
  it('matches the RFC 8785 §3.2.2 example (literals, numbers, string escapes)', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts member names by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh",' +
        '"1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    );
    // Object.keys would list the integer-like "1" first: read the names in their serialized order.
    const text = canonicalize(input);
    const names = [...text.matchAll(/[{,]("(?:[^"\\]|\\.)*"):/g)].map((m) => JSON.parse(m[1] as string));
    expect(names).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  it('refuses what JSON cannot carry instead of changing it', () => {
    expect(() => canonicalize({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalize([undefined])).toThrow(TypeError);
    expect(() => canonicalize({ d: new Date(0) })).toThrow(TypeError);
    expect(() => canonicalize(1n)).toThrow(TypeError);
    expect(canonicalize({ b: undefined, a: -0 })).toBe('{"a":0}');
  });
});

const ring = {
  current: { version: 3, key: randomBytes(32) },
  previous: [{ version: 2, key: randomBytes(32) }],
};

function record(seq: number, prev: string, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    seq,
    id: `evt_${seq}`,
    occurred_at: new Date(1_700_000_000_000 + seq).toISOString(),
    actor: { type: 'user', id: 'usr_1', via_token_id: null },
    project_id: null,
    action: 'token.created',
    target: { type: 'token', id: 'tok_1' },
    ip: '127.0.0.1',
    user_agent: null,
    changes: { name: { after: 'x' } },
    count: 1,
    key_version: 3,
    prev_hash: prev,
    ...overrides,
  };
}

function chain(length: number) {
  const keys = createAuditKeys(ring);
  const events: { record: AuditRecord; hash: string }[] = [];
  let prev = AUDIT_GENESIS;
  for (let seq = 1; seq <= length; seq++) {
    const r = record(seq, prev, seq === 1 ? { key_version: 2 } : {});
    const hash = keys.eventMac(r) as string;
    events.push({ record: r, hash });
    prev = hash;
  }
  return { keys, events, head: { seq: length, hash: prev } };
}

function walk(c: ReturnType<typeof chain>, checkpoints: { seq: number; head: string }[] = [], head = c.head) {
  const w = createChainWalk(c.keys, checkpoints);
  for (const e of c.events) if (!w.next(e.record, e.hash)) break;
  return w.finish(head);
}

describe('the keyed audit chain', () => {
  it('is HMAC-SHA-256, under a key derived by HKDF from the pepper of the event key version', () => {
    const { events } = chain(1);
    const first = events[0] as { record: AuditRecord; hash: string };
    const key = Buffer.from(
      hkdfSync('sha256', ring.previous[0]!.key, Buffer.alloc(0), 'keyward/audit-chain/event/v1', 32),
    );
    expect(first.hash).toBe(createHmac('sha256', key).update(canonicalize(first.record)).digest('hex'));
  });

  it('verifies an intact chain with old and current key versions, and its checkpoints', () => {
    const c = chain(4);
    expect(walk(c)).toEqual({ ok: true, count: 4, head: c.head });
    expect(
      walk(c, [
        { seq: 2, head: c.events[1]!.hash },
        { seq: 0, head: AUDIT_GENESIS },
      ]).ok,
    ).toBe(true);
  });

  it('says where and why a chain breaks', () => {
    const c = chain(4);
    c.events[2]!.record.action = 'forged';
    expect(walk(c)).toMatchObject({ ok: false, brokenAt: 3, reason: 'mac_mismatch', count: 2 });

    const relinked = chain(4);
    relinked.events.splice(1, 1);
    expect(walk(relinked)).toMatchObject({ ok: false, brokenAt: 2, reason: 'sequence_gap' });

    const unknown = chain(2);
    unknown.events[1]!.record.key_version = 9;
    expect(walk(unknown)).toMatchObject({ ok: false, brokenAt: 2, reason: 'unknown_key' });

    const legacy = chain(1);
    legacy.events[0]!.record.key_version = null;
    expect(walk(legacy)).toMatchObject({ ok: false, brokenAt: 1, reason: 'unknown_key' });
  });

  it('catches a cut-off end against the head and against a checkpoint', () => {
    const c = chain(4);
    const pinned = { seq: 4, head: c.head.hash };
    c.events.pop();
    expect(walk(c)).toMatchObject({ ok: false, brokenAt: 4, reason: 'head_mismatch' });
    const rewrittenHead = { seq: 3, hash: c.events[2]!.hash };
    expect(walk(c, [], rewrittenHead).ok).toBe(true);
    expect(walk(c, [pinned], rewrittenHead)).toMatchObject({ ok: false, brokenAt: 4, reason: 'truncated' });
    expect(walk(c, [{ seq: 3, head: c.events[1]!.hash }], rewrittenHead)).toMatchObject({
      ok: false,
      reason: 'checkpoint_mismatch',
    });
  });

  it('signs checkpoints that another key, or an edit, does not verify', () => {
    const keys = createAuditKeys(ring);
    const checkpoint = keys.signCheckpoint(7, 'a'.repeat(64), 1_700_000_000_000);
    expect(checkpoint).toMatchObject({ seq: 7, key_version: 3, issued_at: '2023-11-14T22:13:20.000Z' });
    expect(keys.checkpointValid(checkpoint)).toBe(true);
    expect(keys.checkpointValid({ ...checkpoint, seq: 6 })).toBe(false);
    const stranger = createAuditKeys({ current: { version: 3, key: randomBytes(32) }, previous: [] });
    expect(stranger.checkpointValid(checkpoint)).toBe(false);
    expect(keys.checkpointValid({ ...checkpoint, key_version: 5 })).toBe(false);
  });
});
