import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCOMPLETE, OTHER, readDoorRequest } from '../src/routes/verify/door-request.ts';

const plain =
  'GET /v1/authorize HTTP/1.1\r\nHost: keyward\r\nAuthorization: Bearer kw_abc\r\nX-Keyward-Required-Scopes: api:read\r\n\r\n';

describe('readDoorRequest', () => {
  it('reads a plain check and where it ends, also when another follows', () => {
    const read = readDoorRequest(plain + plain, 0);
    expect(read).toEqual({
      method: 'GET',
      rawHeaders: [
        'Host',
        'keyward',
        'Authorization',
        'Bearer kw_abc',
        'X-Keyward-Required-Scopes',
        'api:read',
      ],
      end: plain.length,
    });
    expect(readDoorRequest(plain.replace('GET', 'HEAD'), 0)).toMatchObject({ method: 'HEAD' });
    expect(readDoorRequest(plain.replace('/v1/authorize', '/v1/authorize/orders/42'), 0)).not.toBe(OTHER);
  });

  it('waits for the rest of a check, and gives up at once on anything else', () => {
    expect(readDoorRequest('GET /v1/au', 0)).toBe(INCOMPLETE);
    expect(readDoorRequest(plain.slice(0, -2), 0)).toBe(INCOMPLETE);
    for (const prefix of ['GET /healthz', 'POS', 'GET /v1/authorizf'])
      expect(readDoorRequest(prefix, 0)).toBe(OTHER);
  });

  it('leaves to node:http every request outside the plain subset', () => {
    const variants = [
      plain.replace('/v1/authorize', '/v1/authorize?x=1'),
      plain.replace('GET', 'POST'),
      plain.replace('HTTP/1.1', 'HTTP/1.0'),
      plain.replace('Host: keyward\r\n', ''),
      plain.replace('\r\n\r\n', '\r\nTransfer-Encoding: chunked\r\n\r\n'),
      plain.replace('\r\n\r\n', '\r\nContent-Length: 5\r\n\r\n'),
      plain.replace('\r\n\r\n', '\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n'),
      plain.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'),
      plain.replace('\r\n\r\n', '\r\nExpect: 100-continue\r\n\r\n'),
      plain.replace('\r\n\r\n', '\r\nUpgrade: websocket\r\n\r\n'),
      plain.replace('\r\nAuthorization', '\r\n Authorization'),
      plain.replace('Host: keyward\r\n', 'Host: keyward\n'),
      plain.replace('api:read', 'api\u0000read'),
      plain.replace('api:read', 'api\rread'),
      plain.replace('Host:', 'Host :'),
      plain.replace('\r\n\r\n', `\r\nX-Pad: ${'a'.repeat(9000)}\r\n\r\n`),
    ];
    // The variants read as anything but OTHER, by their place in the list: none.
    expect(
      variants.map((text, i) => [i, readDoorRequest(text, 0)]).filter(([, read]) => read !== OTHER),
    ).toEqual([]);
    expect(readDoorRequest(plain.replace('\r\n\r\n', '\r\nContent-Length: 0\r\n\r\n'), 0)).not.toBe(OTHER);
  });
});

/** What node:http (llhttp, default settings) reads of a request, from a real server. */
describe('readDoorRequest against node:http', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((request, response) => {
      // In a header, so HEAD answers carry it too.
      const read = JSON.stringify({
        method: request.method,
        url: request.url,
        rawHeaders: request.rawHeaders,
      });
      response.setHeader('x-read', encodeURIComponent(read));
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const nodeReads = (bytes: string) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = connect({ host: '127.0.0.1', port }, () => socket.end(Buffer.from(bytes, 'latin1')));
      socket.on('data', (c) => chunks.push(c));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    });

  const latin1 = fc.string({
    unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
    maxLength: 12,
  });
  const value = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        'kw_abc',
        'Bearer kw_abc',
        'api:read',
        ' x ',
        '\tv\t',
        'a, b',
        '0',
        'keep-alive',
        'close',
        'chunked',
        'caf\u00e9',
      ),
    },
    { weight: 2, arbitrary: fc.stringMatching(/^[ -~]{0,10}$/) },
    { weight: 1, arbitrary: latin1 },
  );
  const name = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        'Host',
        'Authorization',
        'X-Api-Key',
        'x-keyward-required-scopes',
        'Content-Length',
        'Transfer-Encoding',
        'Connection',
        'X-Forwarded-For',
        'Expect',
      ),
    },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,8}$/) },
    { weight: 1, arbitrary: latin1 },
  );
  const field = fc.tuple(
    name,
    fc.constantFrom(':', ': ', ': ', ' :', ':\t'),
    value,
    fc.oneof(
      { weight: 12, arbitrary: fc.constant('\r\n') },
      { weight: 1, arbitrary: fc.constantFrom('\n', '\r') },
    ),
  );
  const request = fc
    .record({
      method: fc.constantFrom('GET', 'GET', 'GET', 'GET', 'HEAD', 'HEAD', 'get', 'POST', 'GET '),
      target: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constantFrom(
            '/v1/authorize',
            '/v1/authorize',
            '/v1/authorize/',
            '/v1/authorize/a/b',
            '/v1/authorize?x=1',
            '/v1/authorizex',
          ),
        },
        { weight: 1, arbitrary: latin1.map((s) => `/v1/authorize/${s}`) },
      ),
      version: fc.constantFrom(
        'HTTP/1.1',
        'HTTP/1.1',
        'HTTP/1.1',
        'HTTP/1.1',
        'HTTP/1.1',
        'HTTP/1.0',
        'http/1.1',
      ),
      host: fc.constantFrom(true, true, true, true, false),
      fields: fc.array(field, { maxLength: 4 }),
    })
    .map(
      ({ method, target, version, host, fields }) =>
        `${method} ${target} ${version}\r\n${host ? 'Host: keyward\r\n' : ''}${fields.map(([n, s, v, e]) => `${n}${s}${v}${e}`).join('')}\r\n`,
    );

  it('accepts only requests that node:http reads the same way: method, target and fields', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(request, async (text) => {
        const read = readDoorRequest(text, 0);
        if (read === INCOMPLETE) expect(text.includes('\r\n\r\n')).toBe(false);
        if (read === INCOMPLETE || read === OTHER) return;
        accepted++;
        const answer = await nodeReads(text.slice(0, read.end));
        expect(answer.split(' ')[1]).toBe('200');
        const header = /\r\nx-read: ([^\r]*)/.exec(answer)?.[1] ?? '';
        const seen = JSON.parse(decodeURIComponent(header)) as {
          method: string;
          url: string;
          rawHeaders: string[];
        };
        expect(seen.method).toBe(read.method);
        expect(seen.url === '/v1/authorize' || seen.url.startsWith('/v1/authorize/')).toBe(true);
        expect(seen.rawHeaders).toEqual(read.rawHeaders);
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(80);
  });
});
