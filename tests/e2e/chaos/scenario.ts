/**
 * One chaos run: a private PostgreSQL (and a private Redis), three Keyward processes, the mixed
 * load for `loadSeconds`, and on a fixed timeline: one node SIGKILLed and restarted, PostgreSQL
 * stopped and started, Redis restarted, one node cut off from the bus. Then every acknowledged
 * secret is checked on every node, and the records are judged (invariants.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createNode,
  initDatabase,
  killNode,
  type Node,
  nodeEnv,
  startNode,
  stopNode,
  waitHealthy,
} from './cluster.ts';
import { type EndCheck, evaluate, type Fault } from './invariants.ts';
import { runLoad, type Secret } from './load.ts';
import {
  type PrivatePostgres,
  type PrivateRedis,
  startPrivatePostgres,
  startPrivateRedis,
} from './private-services.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const NODES = 3;
export const LIMIT = 100;
const DATABASE = 'keyward';

export type ScenarioOptions = { redis: boolean; loadSeconds: number };

async function forEachLimited<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

async function authorizeStatus(url: string, secret: string): Promise<number> {
  try {
    const res = await fetch(`${url}/v1/authorize`, {
      headers: { 'x-api-key': secret },
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

async function endCheck(nodes: Node[], secrets: Secret[], adminToken: string): Promise<EndCheck> {
  const check: EndCheck = { lost: [], resurrected: [], notReady: [], checked: { live: 0, revoked: 0 } };
  for (const node of nodes) {
    const ready = await fetch(`${node.url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (ready !== 200) check.notReady.push(node.index);
  }
  const live = secrets.filter((s) => s.state === 'live');
  const revoked = secrets.filter((s) => s.state === 'revoked');
  check.checked = { live: live.length, revoked: revoked.length };
  await forEachLimited(live, 12, async (s) => {
    const res = await fetch(`${nodes[0]?.url}/v1/tokens/${s.id}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const view = (await res.json()) as { status?: string };
    if (view.status !== 'active')
      check.lost.push({ node: 'database', id: s.id, status: view.status ?? res.status });
    for (const node of nodes) {
      const status = await authorizeStatus(node.url, s.secret);
      if (status !== 200) check.lost.push({ node: node.index, id: s.id, status });
    }
  });
  await forEachLimited(revoked, 12, async (s) => {
    for (const node of nodes)
      if ((await authorizeStatus(node.url, s.secret)) === 200)
        check.resurrected.push({ node: node.index, id: s.id });
  });
  return check;
}

/**
 * PostgreSQL-only bus: a node's LISTEN connection (its last statement a LISTEN, or an application
 * name saying bus or listen), terminated again and again while it is cut.
 */
async function cutListen(pgServer: PrivatePostgres, user: string, until: () => boolean) {
  let terminated = 0;
  while (!until()) {
    const { rows } = await pgServer
      .query(
        "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE usename = $1 AND (query ILIKE 'listen%' OR application_name ~* '(bus|listen)')",
        [user],
      )
      .catch(() => ({ rows: [] as { done: boolean }[] }));
    terminated += rows.filter((r) => r.done).length;
    await sleep(100);
  }
  return terminated;
}

export async function runScenario(options: ScenarioOptions) {
  if (!existsSync(join(ROOT, 'apps/cli/dist/keyward.js'))) throw new Error('run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'keyward-chaos-'));
  const users = Array.from({ length: NODES }, (_, i) => `node${i}`);
  let pgServer: PrivatePostgres | undefined;
  let redis: PrivateRedis | undefined;
  const nodes: Node[] = [];
  try {
    pgServer = await startPrivatePostgres(dir);
    await pgServer.query(`CREATE DATABASE ${DATABASE}`);
    // One role per node: the bus cut finds that node's connections by user name.
    for (const user of users) await pgServer.query(`CREATE ROLE ${user} LOGIN SUPERUSER`);
    if (options.redis) redis = await startPrivateRedis(dir, users);
    const shared = { KEYWARD_PEPPER: randomBytes(32).toString('hex'), KEYWARD_REDIS_KEY_PREFIX: 'chaos:' };
    const adminToken = await initDatabase(
      nodeEnv({ ...shared, DATABASE_URL: pgServer.url('postgres', DATABASE) }),
      join(dir, 'init'),
    );
    for (const [i, user] of users.entries()) {
      const env = nodeEnv({
        ...shared,
        DATABASE_URL: pgServer.url(user, DATABASE),
        ...(redis ? { REDIS_URL: redis.url(user) } : {}),
      });
      nodes.push(await createNode(i, env));
    }
    for (const node of nodes) startNode(node, dir);
    await Promise.all(nodes.map((n) => waitHealthy(n)));

    const created = await fetch(`${nodes[0]?.url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      // One window longer than the whole run: every admission of the run counts against it.
      body: JSON.stringify({
        name: 'limited',
        scopes: ['api:read'],
        rate_limits: [{ limit: LIMIT, window_seconds: 3600 }],
      }),
    });
    if (created.status !== 201) throw new Error(`limited token: ${created.status} ${await created.text()}`);
    const limitedToken = ((await created.json()) as { token: string }).token;

    const began = performance.now();
    const now = () => performance.now() - began;
    const faults: Fault[] = [];
    // Each fault begins at its time or, when the machine runs late, as soon as the last one ended;
    // it lasts its full duration either way.
    const at = (seconds: number) => sleep(Math.max(0, seconds * 1000 - now()));
    let timelineDone = Number.POSITIVE_INFINITY;
    let focus: number | undefined;
    const load = runLoad({
      urls: () => nodes.map((n) => n.url),
      adminToken,
      limitedToken,
      // At least loadSeconds, and 10 s past the last fault so every node's recovery is seen.
      done: () => now() > Math.max(options.loadSeconds * 1000, timelineDone + 10_000),
      now,
      focus: () => focus,
    });
    const timeline = (async () => {
      try {
        await faultTimeline();
      } finally {
        timelineDone = now();
      }
    })();
    async function faultTimeline() {
      const victim = nodes[2] as Node;
      await at(8);
      let start = now();
      await killNode(victim);
      await sleep(3_000);
      startNode(victim, dir);
      const kill: Fault = { name: 'node-kill', node: victim.index, start, end: now() };
      faults.push(kill);
      const victimBack = waitHealthy(victim).then(() => {
        kill.healthyAt = now();
      });

      // The next fault waits for the killed node: on a loaded machine a start takes many seconds.
      await victimBack;
      await at(20);
      start = now();
      await pgServer?.stop();
      await sleep(4_000);
      await pgServer?.start();
      faults.push({ name: 'postgres-restart', start, end: now() });

      const cut = nodes[1] as Node;
      if (redis) {
        await at(33);
        start = now();
        await redis.stop();
        await sleep(3_000);
        await redis.start();
        faults.push({ name: 'redis-restart', start, end: now() });
        await at(44);
        start = now();
        focus = cut.index;
        await redis.cut(users[1] as string);
        await sleep(6_000);
        await redis.restore(users[1] as string);
        focus = undefined;
        faults.push({
          name: 'bus-cut',
          node: cut.index,
          start,
          end: now(),
          note: 'Redis ACL user disabled, its connections killed',
        });
      } else {
        await at(33);
        start = now();
        focus = cut.index;
        const until = start + 6_000;
        const terminated = await cutListen(
          pgServer as PrivatePostgres,
          users[1] as string,
          () => now() > until,
        );
        focus = undefined;
        faults.push({
          name: 'bus-cut',
          node: cut.index,
          start,
          end: now(),
          note:
            terminated > 0
              ? `${terminated} LISTEN connection(s) terminated`
              : 'no LISTEN connection found: no PostgreSQL bus to cut',
        });
      }
      await victimBack;
    }
    const [result] = await Promise.all([load, timeline]);
    await sleep(2_000);
    const end = await endCheck(nodes, result.secrets, adminToken);
    const report = evaluate(result, faults, end, LIMIT, NODES);
    const logs = nodes
      .map((n) => `--- node ${n.index} (started ${n.starts}×) ---\n${n.log.slice(-4_000)}`)
      .join('\n');
    return { ...report, logs };
  } finally {
    await Promise.all(nodes.map(stopNode));
    await redis?.destroy();
    await pgServer?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
