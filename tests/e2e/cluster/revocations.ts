import { api, authorize, type Cluster } from './cluster.ts';

/** How a batch of revokes and rotations on one node was seen by the others. */
export type RevocationFigures = {
  attempted: number;
  acknowledged: number;
  /** Answered 503 with Retry-After: not acknowledged (allowed: the change was not made). */
  refusedWithRetryAfter: number;
  /** Other answers (a failure of the test). */
  unexpected: string[];
  /** Per acknowledged change and other node: ms from the acknowledgement to the start of the last request still admitted (≤ 0: none after it). */
  lateAdmissionsMs: number[];
  /** Per acknowledged change and other node: ms from the acknowledgement to the start of the first request of the final run of refusals. */
  refusedAfterMs: number[];
  /** Other nodes that had the token in their cache (trusted) right before the change. */
  warmBefore: number;
};

export async function createTokens(
  cluster: Cluster,
  count: number,
): Promise<{ id: string; token: string }[]> {
  const url = cluster.nodes[0]?.url ?? '';
  const tokens: { id: string; token: string }[] = [];
  for (let i = 0; i < count; i++) {
    const res = await api(url, 'POST', '/v1/tokens', cluster.adminToken, {
      name: `t${i}`,
      scopes: ['jobs:read'],
    });
    if (res.status !== 201) throw new Error(`token creation failed: ${res.status}`);
    tokens.push({ id: String(res.body.id), token: String(res.body.token) });
  }
  return tokens;
}

/**
 * Asks `url` again and again until it has refused `token` five times in a row (or 1 s passed):
 * the latest admission after `ackAt` and when the first refusal of the final streak came back.
 */
async function probe(url: string, token: string, ackAt: number) {
  let lastAdmitted = Number.NEGATIVE_INFINITY;
  let firstRefused = Number.POSITIVE_INFINITY;
  let streak = 0;
  while (streak < 5 && performance.now() - ackAt < 1_000) {
    const sent = performance.now();
    const status = await authorize(url, token);
    if (status === 200) {
      lastAdmitted = sent - ackAt;
      streak = 0;
      firstRefused = Number.POSITIVE_INFINITY;
    } else {
      if (streak === 0) firstRefused = sent - ackAt;
      streak++;
    }
  }
  if (streak < 5) lastAdmitted = Number.POSITIVE_INFINITY;
  return { lastAdmitted, firstRefused };
}

/**
 * Revokes (even i) or rotates with no grace (odd i) each token on node `victim`, after warming it
 * on every other node; then probes the others. `before(i)` runs before each change (chaos).
 */
export async function revokeAndProbe(
  cluster: Cluster,
  victim: number,
  tokens: { id: string; token: string }[],
  figures: RevocationFigures,
  before: (i: number) => Promise<void> = async () => {},
): Promise<void> {
  const victimUrl = cluster.nodes[victim]?.url ?? '';
  const others = cluster.nodes.filter((_, i) => i !== victim);
  for (const [i, { id, token }] of tokens.entries()) {
    for (const node of others) {
      await authorize(node.url, token);
      await authorize(node.url, token);
      if (node.deps.verifier.verifyNow(token)?.cached) figures.warmBefore++;
    }
    await before(i);
    figures.attempted++;
    const res =
      i % 2 === 0
        ? await api(victimUrl, 'POST', `/v1/tokens/${id}/revoke`, cluster.adminToken, {})
        : await api(victimUrl, 'POST', `/v1/tokens/${id}/rotate`, cluster.adminToken, {
            grace_period_seconds: 0,
          });
    const ackAt = performance.now();
    if (res.status === 503 && res.retryAfter) {
      figures.refusedWithRetryAfter++;
      continue;
    }
    if (res.status !== 200) {
      figures.unexpected.push(`${i}: ${res.status} ${JSON.stringify(res.body)}`);
      continue;
    }
    figures.acknowledged++;
    const seen = await Promise.all(others.map((node) => probe(node.url, token, ackAt)));
    for (const { lastAdmitted, firstRefused } of seen) {
      figures.lateAdmissionsMs.push(lastAdmitted);
      figures.refusedAfterMs.push(firstRefused);
    }
  }
}

export const emptyFigures = (): RevocationFigures => ({
  attempted: 0,
  acknowledged: 0,
  refusedWithRetryAfter: 0,
  unexpected: [],
  lateAdmissionsMs: [],
  refusedAfterMs: [],
  warmBefore: 0,
});

export function summary(label: string, f: RevocationFigures): string {
  const late = Math.max(...f.lateAdmissionsMs);
  const lateAfter = f.lateAdmissionsMs.filter((ms) => ms > 0).length;
  const refused = [...f.refusedAfterMs].sort((a, b) => a - b);
  const median = refused[Math.floor(refused.length / 2)] ?? 0;
  return (
    `${label}: ${f.attempted} changes, ${f.acknowledged} acknowledged, ${f.refusedWithRetryAfter} refused 503+Retry-After; ` +
    `admissions after an ack: ${lateAfter} (latest ${late > 0 ? `${late.toFixed(1)} ms after` : 'none'}); ` +
    `refused from ${median.toFixed(1)} ms after the ack (median), ${(refused[refused.length - 1] ?? 0).toFixed(1)} ms (max); ` +
    `warm on the others before: ${f.warmBefore}/${f.attempted * 2}\n`
  );
}
