// The ceiling: a bare node:http server answering a small JSON, nothing else.
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 8090);
const body = JSON.stringify({ ok: true, service: 'bare' });
const length = String(Buffer.byteLength(body));
createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': length });
  response.end(body);
}).listen(port, '127.0.0.1', () => process.stdout.write(`bare on ${port}\n`));
