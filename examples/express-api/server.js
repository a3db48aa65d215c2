// A provider API protected by Keyward (seed 002: GET /v1/instances needs instances:read).
//   KEYWARD_URL=… KEYWARD_TOKEN=… PORT=3000 node server.js
import { ApiProblem, createKeyward } from '@keyward/sdk';
import { errorHandler, protect } from '@keyward/sdk/express';
import express from 'express';
import { INSTANCES } from './instances.js';

const kw = createKeyward({
  baseUrl: process.env.KEYWARD_URL,
  token: process.env.KEYWARD_TOKEN, // holds tokens:verify and errors:write
  errorFlushIntervalMs: Number(process.env.KEYWARD_ERROR_FLUSH_MS ?? 2000),
});
const app = express();
app.use(express.json());

app.get('/healthz', (_req, res) => res.json({ ok: true }));
app.get('/v1/instances', protect(kw, ['instances:read']), (req, res) =>
  res.json({ data: INSTANCES, principal: req.keyward }),
);
app.get('/v1/instances/:id', protect(kw, ['instances:read']), (req, res) => {
  const found = INSTANCES.find((i) => i.id === req.params.id);
  if (!found) throw new ApiProblem(404, 'NOT_FOUND', `No instance ${req.params.id}`);
  res.json(found);
});
app.post('/v1/instances', protect(kw, ['instances:write']), (req, res) =>
  res.status(201).json({
    id: `ins_${INSTANCES.length + 1}`,
    name: String(req.body?.name ?? 'unnamed'),
    status: 'provisioning',
  }),
);
app.get('/v1/reports', protect(kw, ['instances:read']), () => {
  throw new Error('report generator crashed');
});
app.use(errorHandler(kw));

await kw.ready(10_000);
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () =>
  console.log(`listening on http://127.0.0.1:${server.address().port}`),
);
process.once('SIGTERM', async () => {
  server.close();
  await kw.close();
  process.exit(0);
});
