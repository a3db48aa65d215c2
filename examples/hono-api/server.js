// A provider API protected by Keyward (seed 002: GET /v1/instances needs instances:read).
//   KEYWARD_URL=… KEYWARD_TOKEN=… PORT=3000 node server.js
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { ApiProblem, createKeyward } from '@keyward/sdk';
import { onError, protect } from '@keyward/sdk/hono';
import { Hono } from 'hono';
import { INSTANCES } from './instances.js';

const kw = createKeyward({
  baseUrl: process.env.KEYWARD_URL,
  token: process.env.KEYWARD_TOKEN, // holds tokens:verify and errors:write
  errorFlushIntervalMs: Number(process.env.KEYWARD_ERROR_FLUSH_MS ?? 2000),
});
const options = { clientIp: (c) => getConnInfo(c).remote.address ?? null };
const app = new Hono();

app.get('/healthz', (c) => c.json({ ok: true }));
app.get('/v1/instances', protect(kw, ['instances:read'], options), (c) =>
  c.json({ data: INSTANCES, principal: c.get('keyward') }),
);
app.get('/v1/instances/:id', protect(kw, ['instances:read'], options), (c) => {
  const found = INSTANCES.find((i) => i.id === c.req.param('id'));
  if (!found) throw new ApiProblem(404, 'NOT_FOUND', `No instance ${c.req.param('id')}`);
  return c.json(found);
});
app.post('/v1/instances', protect(kw, ['instances:write'], options), async (c) => {
  const body = await c.req.json().catch(() => ({}));
  return c.json(
    { id: `ins_${INSTANCES.length + 1}`, name: String(body.name ?? 'unnamed'), status: 'provisioning' },
    201,
  );
});
app.get('/v1/reports', protect(kw, ['instances:read'], options), () => {
  throw new Error('report generator crashed');
});
app.onError(onError(kw, options));

await kw.ready(10_000);
const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' },
  (info) => console.log(`listening on http://127.0.0.1:${info.port}`),
);
process.once('SIGTERM', async () => {
  server.close();
  await kw.close();
  process.exit(0);
});
