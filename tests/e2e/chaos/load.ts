/**
 * The mixed load: gateway verifications (GET /v1/authorize) of live and of just-revoked secrets,
 * creates, revocations and rotations (grace 0) on random nodes, and a rate-limited token asked
 * all the time. Every answer is recorded with its send and receive time (ms since the run began).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export type Kind = 'authorize' | 'create' | 'revoke' | 'rotate' | 'limited';
export const WRITE_KINDS: readonly Kind[] = ['create', 'revoke', 'rotate'];

export type Answer = {
  kind: Kind;
  node: number;
  sent: number;
  received: number;
  /** 0: no answer (connection refused or reset, or no answer within the request timeout). */
  status: number;
  retryAfter: boolean;
};

/** One secret's life as the load saw it acknowledged. */
export type Secret = {
  id: string;
  secret: string;
  state: 'live' | 'changing' | 'revoked' | 'uncertain';
  /** How it stopped working: revoked, or replaced by a rotation. */
  endedBy?: 'revoke' | 'rotate';
  /** The node that acknowledged that change. */
  changedOn?: number;
  /** When its creation (or the rotation that made it) was acknowledged. */
  liveSince: number;
  /** When its revocation (or the rotation that replaced it) was acknowledged. */
  revokedAt?: number;
};

/** An admission of a secret after its revocation was acknowledged. */
export type LateAdmission = {
  node: number;
  delayMs: number;
  kind: 'revoke' | 'rotate';
  /** The change it missed: acknowledged by which node, when (ms since the run began). */
  changedOn: number;
  changedAt: number;
};

export type LoadResult = {
  answers: Answer[];
  secrets: Secret[];
  acknowledged: { create: number; revoke: number; rotate: number };
  lateAdmissions: LateAdmission[];
  /** Largest (send time − acknowledgement) over admissions of revoked secrets, late or not. */
  maxAdmissionAfterAck: number;
  /** A live, unchanged, acknowledged secret refused by a node. */
  liveRefusals: { node: number; status: number; at: number }[];
  limitedAdmitted: number;
};

export type LoadOptions = {
  urls: () => string[];
  adminToken: string;
  limitedToken: string;
  /** The load runs until this says so. */
  done: () => boolean;
  now: () => number;
  /** While set, revokes and rotations go mostly to this node (the one cut off from the bus). */
  focus?: () => number | undefined;
  verifiers?: number;
  writers?: number;
};

const REQUEST_TIMEOUT_MS = 10_000;
const LATE_AFTER_MS = 100;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { urls, adminToken, now } = options;
  const answers: Answer[] = [];
  const secrets: Secret[] = [];
  const live: Secret[] = [];
  const recentlyRevoked: Secret[] = [];
  const result: LoadResult = {
    answers,
    secrets,
    acknowledged: { create: 0, revoke: 0, rotate: 0 },
    lateAdmissions: [],
    maxAdmissionAfterAck: Number.NEGATIVE_INFINITY,
    liveRefusals: [],
    limitedAdmitted: 0,
  };
  const running = () => !options.done();
  const pickNode = () => Math.floor(Math.random() * urls().length);
  const pickChangeNode = () => {
    const focus = options.focus?.();
    return focus !== undefined && Math.random() < 0.7 ? focus : pickNode();
  };
  const pick = <T>(list: T[]): T | undefined => list[Math.floor(Math.random() * list.length)];

  async function call(kind: Kind, node: number, path: string, init: RequestInit) {
    const sent = now();
    let status = 0;
    let retryAfter = false;
    let body: unknown;
    try {
      const res = await fetch(`${urls()[node]}${path}`, {
        ...init,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      status = res.status;
      retryAfter = res.headers.has('retry-after');
      body = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.arrayBuffer();
    } catch {
      status = 0;
    }
    const received = now();
    answers.push({ kind, node, sent, received, status, retryAfter });
    return { status, body, sent, received };
  }

  const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };

  async function verifier() {
    while (running()) {
      const candidate = Math.random() < 0.5 ? pick(recentlyRevoked) : pick(live);
      if (!candidate) {
        await sleep(5);
        continue;
      }
      const stateAtSend = candidate.state;
      const node = pickNode();
      const { status, sent, received } = await call('authorize', node, '/v1/authorize', {
        headers: { 'x-api-key': candidate.secret },
      });
      if (status === 200 && candidate.revokedAt !== undefined && candidate.state === 'revoked') {
        const delayMs = sent - candidate.revokedAt;
        result.maxAdmissionAfterAck = Math.max(result.maxAdmissionAfterAck, delayMs);
        if (delayMs > LATE_AFTER_MS)
          result.lateAdmissions.push({
            node,
            delayMs,
            kind: candidate.endedBy ?? 'revoke',
            changedOn: candidate.changedOn ?? -1,
            changedAt: candidate.revokedAt,
          });
      }
      if (
        (status === 401 || status === 403) &&
        stateAtSend === 'live' &&
        candidate.state === 'live' &&
        sent > candidate.liveSince
      )
        result.liveRefusals.push({ node, status, at: received });
    }
  }

  async function create() {
    const { status, body, received } = await call('create', pickNode(), '/v1/tokens', {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: `chaos ${secrets.length}`, scopes: ['api:read'] }),
    });
    if (status !== 201) return;
    const made = body as { id: string; token: string };
    const secret: Secret = { id: made.id, secret: made.token, state: 'live', liveSince: received };
    result.acknowledged.create += 1;
    secrets.push(secret);
    live.push(secret);
  }

  /**
   * A live secret, verified once on every node first: each node has it in its cache, so a node
   * that misses the change would go on admitting it (which the verifiers then see).
   */
  async function takeWarm(): Promise<Secret | undefined> {
    const chosen = pick(live.filter((s) => now() - s.liveSince > 500));
    if (!chosen) return undefined;
    live.splice(live.indexOf(chosen), 1);
    chosen.state = 'changing';
    await Promise.all(
      urls().map((_, node) =>
        call('authorize', node, '/v1/authorize', { headers: { 'x-api-key': chosen.secret } }),
      ),
    );
    return chosen;
  }

  function revoked(secret: Secret, at: number, endedBy: 'revoke' | 'rotate', on: number) {
    secret.state = 'revoked';
    secret.changedOn = on;
    secret.endedBy = endedBy;
    secret.revokedAt = at;
    recentlyRevoked.push(secret);
    // Verified for 15 s after its acknowledgement (the cache TTL is what hides a missed change).
    setTimeout(() => {
      const at = recentlyRevoked.indexOf(secret);
      if (at >= 0) recentlyRevoked.splice(at, 1);
    }, 15_000).unref();
  }

  async function revoke() {
    const target = await takeWarm();
    if (!target) return create();
    const on = pickChangeNode();
    const { status, received } = await call('revoke', on, `/v1/tokens/${target.id}/revoke`, {
      method: 'POST',
      headers: admin,
      body: '{}',
    });
    if (status === 200) {
      result.acknowledged.revoke += 1;
      revoked(target, received, 'revoke', on);
    } else target.state = 'uncertain'; // not acknowledged: applied or not, no claim is made about it
  }

  async function rotate() {
    const target = await takeWarm();
    if (!target) return create();
    const on = pickChangeNode();
    const { status, body, received } = await call('rotate', on, `/v1/tokens/${target.id}/rotate`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ grace_period_seconds: 0 }),
    });
    if (status !== 200) {
      target.state = 'uncertain';
      return;
    }
    result.acknowledged.rotate += 1;
    const successor: Secret = {
      id: target.id,
      secret: (body as { token: string }).token,
      state: 'live',
      liveSince: received,
    };
    secrets.push(successor);
    live.push(successor);
    revoked(target, received, 'rotate', on);
  }

  async function writer() {
    for (let i = 0; running(); i++) {
      if (live.length < 30 || i % 3 === 0) await create();
      else if (i % 3 === 1) await revoke();
      else await rotate();
      await sleep(20);
    }
  }

  async function limited() {
    while (running()) {
      const { status } = await call('limited', pickNode(), '/v1/authorize', {
        headers: { 'x-api-key': options.limitedToken },
      });
      if (status === 200) result.limitedAdmitted += 1;
      await sleep(40);
    }
  }

  await Promise.all([
    ...Array.from({ length: options.verifiers ?? 10 }, verifier),
    ...Array.from({ length: options.writers ?? 4 }, writer),
    limited(),
    limited(),
  ]);
  return result;
}
