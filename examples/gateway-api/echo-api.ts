/**
 * A tiny API behind a gateway that asks Keyward first: it trusts the X-Keyward-* identity headers
 * the gateway sets and echoes them back (the nginx e2e test and docs/gateway use it).
 *
 *   node --import tsx examples/gateway-api/echo-api.ts 3000 [host]   (host: 127.0.0.1 unless given)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export type EchoApi = { server: Server; port: number; close: () => Promise<void> };

export async function startEchoApi(port = 0, host = '127.0.0.1'): Promise<EchoApi> {
  const server = createServer((request, response) => {
    const keyward = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => name.startsWith('x-keyward-')),
    );
    const body = JSON.stringify({
      method: request.method,
      path: request.url,
      keyward,
      // Shows whether the gateway passed the secret on (it should not).
      saw_authorization: request.headers.authorization !== undefined,
      saw_api_key: request.headers['x-api-key'] !== undefined,
    });
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const host = process.argv[3] ?? '127.0.0.1';
  const api = await startEchoApi(Number(process.argv[2] ?? 3000), host);
  process.stdout.write(`echo API on http://${host}:${api.port}\n`);
}
