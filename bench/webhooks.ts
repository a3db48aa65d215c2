/**
 * Webhook costs on one SQLite node, in process: what the outbox adds to a token creation (no
 * endpoint vs. one subscribed endpoint), and how fast one dispatcher drains a backlog to a local
 * receiver. `node --import tsx bench/webhooks.ts [events]`. Figures depend on the machine's load.
 */
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { call, startHarness } from '../apps/server/test/harness.ts';

const EVENTS = Number(process.argv[2] ?? 500);

async function createTokens(h: Awaited<ReturnType<typeof startHarness>>, n: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const res = await call(h.app, 'POST', '/v1/tokens', h.adminToken, { name: `b${i}`, scopes: [] });
    if (res.status !== 201) throw new Error(res.raw);
  }
  return (performance.now() - started) / n;
}

const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(204).end());
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const port = (receiver.address() as { port: number }).port;

const h = await startHarness({
  config: { webhookAllowPrivateTargets: true, defaultTokenRateLimits: 'none' },
});
try {
  await createTokens(h, 50); // warm-up
  const without = await createTokens(h, EVENTS);
  const endpoint = await call(h.app, 'POST', '/v1/webhooks', h.adminToken, {
    url: `http://127.0.0.1:${port}/hook`,
    events: ['token.created'],
  });
  if (endpoint.status !== 201) throw new Error(endpoint.raw);
  const withOutbox = await createTokens(h, EVENTS);
  const started = performance.now();
  const sent = await h.deps.webhooks.dispatchDue();
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify(
      {
        events: EVENTS,
        token_create_ms_without_endpoint: Number(without.toFixed(2)),
        token_create_ms_with_outbox: Number(withOutbox.toFixed(2)),
        dispatched: sent,
        dispatch_seconds: Number(seconds.toFixed(2)),
        deliveries_per_second: Math.round(sent / seconds),
        load_average_1m: Number(loadavg()[0]?.toFixed(2)),
      },
      null,
      2,
    ),
  );
} finally {
  await h.close();
  receiver.close();
}
