// The Fastify route of the SDK bench, with or without the Keyward middleware, on the built SDK
// (packages/sdk/dist, what a provider installs; no TypeScript loader):
//   node bench/sdk-route-server.mjs with|without PORT   (KEYWARD_URL, KEYWARD_TOKEN)
import Fastify from 'fastify';
import { keyward } from '../packages/sdk/dist/fastify.js';
import { createKeyward } from '../packages/sdk/dist/sdk.js';

const [mode, port] = process.argv.slice(2);
const app = Fastify();
if (mode === 'with') {
  const kw = createKeyward({
    baseUrl: process.env.KEYWARD_URL ?? '',
    token: process.env.KEYWARD_TOKEN ?? '',
  });
  if (!(await kw.ready(10_000))) throw new Error('the change stream did not become ready');
  await app.register(keyward, { keyward: kw });
}
const INSTANCES = [{ id: 'ins_1', name: 'web-1', region: 'ewr1', status: 'running' }];
app.get('/healthz', { config: { keyward: false } }, async () => ({ ok: true }));
app.get('/v1/instances', { config: { keyward: { requiredScopes: ['api:read'] } } }, async () => ({
  data: INSTANCES,
}));
await app.listen({ port: Number(port), host: '127.0.0.1' });
