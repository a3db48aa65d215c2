// A provider API protected by Keyward (seed 002: GET /v1/instances needs instances:read).
//   KEYWARD_URL=… KEYWARD_TOKEN=… PORT=3000 node server.js
import { ApiProblem, createKeyward } from '@keyward/sdk';
import { keyward } from '@keyward/sdk/fastify';
import Fastify from 'fastify';
import { INSTANCES } from './instances.js';

const kw = createKeyward({
  baseUrl: process.env.KEYWARD_URL,
  token: process.env.KEYWARD_TOKEN, // holds tokens:verify and errors:write
  errorFlushIntervalMs: Number(process.env.KEYWARD_ERROR_FLUSH_MS ?? 2000),
  usageFlushIntervalMs: Number(process.env.KEYWARD_USAGE_FLUSH_MS ?? 5000),
  timeoutMs: Number(process.env.KEYWARD_TIMEOUT_MS ?? 10_000),
});
const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'error' } });
await app.register(keyward, { keyward: kw });

app.get('/healthz', { config: { keyward: false } }, async () => ({ ok: true }));

app.get(
  '/v1/instances',
  { config: { keyward: { requiredScopes: ['instances:read'] } } },
  async (request) => ({
    data: INSTANCES,
    principal: request.keyward,
  }),
);

app.get(
  '/v1/instances/:id',
  { config: { keyward: { requiredScopes: ['instances:read'] } } },
  async (request) => {
    const found = INSTANCES.find((i) => i.id === request.params.id);
    if (!found) throw new ApiProblem(404, 'NOT_FOUND', `No instance ${request.params.id}`);
    return found;
  },
);

app.post(
  '/v1/instances',
  { config: { keyward: { requiredScopes: ['instances:write'] } } },
  async (request, reply) => {
    const name = String(request.body?.name ?? 'unnamed');
    return reply
      .code(201)
      .send({ id: `ins_${INSTANCES.length + 1}`, name, region: 'ewr1', status: 'provisioning' });
  },
);

// A bug in the provider's code: answered as 500 problem+json with an error id the caller can quote.
app.get('/v1/reports', { config: { keyward: { requiredScopes: ['instances:read'] } } }, async () => {
  throw new Error('report generator crashed');
});

await kw.ready(10_000);
const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`listening on ${address}`);

for (const signal of ['SIGTERM', 'SIGINT'])
  process.once(signal, async () => {
    await app.close();
    await kw.close();
    process.exit(0);
  });
