import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, tokenWithScopes } from './harness.ts';

/**
 * The door lane (plain gateway checks answered on the socket, ahead of node:http) over real
 * sockets: the same answers as node:http gives with the lane off, in order when pipelined, and
 * every other request, or a request it cannot read, given to node:http with its bytes untouched.
 */
type Answer = { status: number; head: string; headers: Record<string, string>; body: string };

/** Reads HTTP answers off a socket, one after another (Content-Length framed, as all of ours are). */
class AnswerReader {
  private buffer = '';
  private waiting: (() => void) | null = null;
  closed = false;
  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      this.waiting?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
    socket.on('error', () => undefined);
  }

  private take(): Answer | null {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end === -1) return null;
    const head = this.buffer.slice(0, end);
    const [statusLine = '', ...lines] = head.split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const cut = line.indexOf(':');
      headers[line.slice(0, cut).toLowerCase()] = line.slice(cut + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (this.buffer.length < end + 4 + length) return null;
    const body = this.buffer.slice(end + 4, end + 4 + length);
    this.buffer = this.buffer.slice(end + 4 + length);
    return { status: Number(statusLine.split(' ')[1]), head, headers, body };
  }

  async next(): Promise<Answer | null> {
    for (;;) {
      const answer = this.take();
      if (answer !== null || this.closed) return answer;
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
      this.waiting = null;
    }
  }

  async all(count: number): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (let i = 0; i < count; i++) {
      const answer = await this.next();
      if (answer === null) break;
      answers.push(answer);
    }
    return answers;
  }
}

function open(port: number): Promise<AnswerReader> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(new AnswerReader(socket)));
    socket.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const portOf = (h: Harness) => (h.app.server.address() as { port: number }).port;

function doorRequest(headers: Record<string, string>, method = 'GET', target = '/v1/authorize'): string {
  const fields = Object.entries({ Host: 'keyward', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`);
  return `${method} ${target} HTTP/1.1\r\n${fields.join('')}\r\n`;
}

/** An answer with what differs between two servers (ids, Date) replaced by placeholders. */
function normalised(answer: Answer): string {
  return `${answer.head}\r\n\r\n${answer.body}`
    .replace(/\b(req|err|tok|prj|usr)_[0-9a-z]{26}\b/g, '$1_…')
    .replace(/\r\nDate: [^\r]+/, '\r\nDate: …')
    .replace(/;t=\d+/g, ';t=…');
}

async function listening(options: Parameters<typeof startHarness>[0]): Promise<Harness> {
  const h = await startHarness(options);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  return h;
}

describe('the door lane', () => {
  let lane: Harness;
  let plain: Harness;
  const config = { usageFlushIntervalSeconds: 3600, failedAuthRateLimits: 'none' };

  beforeAll(async () => {
    lane = await listening({ config });
    plain = await listening({ config: { ...config, gatewayLane: false } });
  });
  afterAll(async () => {
    await lane.close();
    await plain.close();
  });

  /** The same requests on one connection to each server; the answers, normalised. */
  async function bothAnswer(requests: (h: Harness, token: string) => string[]): Promise<string[][]> {
    const results: string[][] = [];
    for (const h of [lane, plain]) {
      const { token } = await tokenWithScopes(h, ['data:read']);
      const reader = await open(portOf(h));
      const sent = requests(h, token);
      for (const request of sent) reader.socket.write(request, 'latin1');
      results.push((await reader.all(sent.length)).map(normalised));
      reader.socket.destroy();
    }
    return results;
  }

  it('answers as node:http does: admitted, HEAD, refused, no token, bad headers, the Envoy path', async () => {
    const [fromLane, fromNode] = await bothAnswer((_h, token) => [
      doorRequest({ Authorization: `Bearer ${token}`, 'X-Keyward-Required-Scopes': 'data:read' }),
      doorRequest({ 'X-Api-Key': token }, 'HEAD'),
      doorRequest({ Authorization: `Bearer ${token}`, 'X-Keyward-Required-Scopes': 'data:write' }),
      doorRequest({ Authorization: 'Bearer kw_garbage' }),
      doorRequest({}),
      doorRequest({ Authorization: `Basic ${token}` }),
      doorRequest({ Authorization: `Bearer ${token}`, 'X-Keyward-Required-Scopes': 'NOT A SCOPE' }),
      doorRequest({ 'X-Api-Key': token }, 'GET', '/v1/authorize/orders/42'),
    ]);
    expect(fromLane).toHaveLength(8);
    expect(fromLane?.map((a) => a.split(' ')[1])).toEqual([
      '200',
      '200',
      '403',
      '401',
      '401',
      '400',
      '400',
      '200',
    ]);
    // Fastify adds a charset to the content type of the errors it sends; the door's own answers do not.
    expect(fromLane).toEqual(
      fromNode?.map((a) => a.replaceAll('problem+json; charset=utf-8', 'problem+json')),
    );
  });

  it('answers pipelined checks in order, the first uncached one included, and hands the rest to node:http', async () => {
    const { token, id } = await tokenWithScopes(lane, ['data:read']);
    const reader = await open(portOf(lane));
    // The first check of a new token reads the database (the answer is async); the others wait for it.
    reader.socket.write(
      doorRequest({ 'X-Api-Key': token }) +
        doorRequest({ 'X-Api-Key': 'kw_garbage' }) +
        doorRequest({ 'X-Api-Key': token }, 'HEAD') +
        'GET /healthz HTTP/1.1\r\nHost: keyward\r\n\r\n' +
        doorRequest({ 'X-Api-Key': token }),
      'latin1',
    );
    const answers = await reader.all(5);
    expect(answers.map((a) => a.status)).toEqual([200, 401, 200, 200, 200]);
    expect(answers[0]?.headers['x-keyward-token-id']).toBe(id);
    expect(JSON.parse(answers[3]?.body ?? '{}')).toMatchObject({ status: 'ok' });
    expect(answers[4]?.headers['x-keyward-token-id']).toBe(id);
    reader.socket.destroy();
  });

  it('waits for a request sent in pieces, and gives node:http one whose rest is late', async () => {
    const { token } = await tokenWithScopes(lane, ['data:read']);
    const request = doorRequest({ 'X-Api-Key': token });
    const reader = await open(portOf(lane));
    for (const piece of [request.slice(0, 5), request.slice(5, 40), request.slice(40)]) {
      reader.socket.write(piece, 'latin1');
      await sleep(20);
    }
    expect((await reader.next())?.status).toBe(200);
    // Held past the lane's two sweeps, the partial request goes to node:http, which answers it.
    reader.socket.write(request.slice(0, 30), 'latin1');
    await sleep(3_000);
    reader.socket.write(request.slice(30), 'latin1');
    expect((await reader.next())?.status).toBe(200);
    reader.socket.destroy();
  });

  it('gives node:http whatever is not a plain check, bytes untouched: bodies, chunks, HTTP/1.0, no Host', async () => {
    const { token } = await tokenWithScopes(lane, ['data:read']);
    const check = doorRequest({ 'X-Api-Key': token });
    // A body that looks like a request is a body: node:http reads the Content-Length.
    const withBody = `GET /v1/authorize HTTP/1.1\r\nHost: k\r\nX-Api-Key: ${token}\r\nContent-Length: ${check.length}\r\n\r\n${check}`;
    const chunked = `GET /v1/authorize HTTP/1.1\r\nHost: k\r\nX-Api-Key: ${token}\r\nTransfer-Encoding: chunked\r\n\r\n${check.length.toString(16)}\r\n${check}\r\n0\r\n\r\n`;
    for (const [payload, statuses] of [
      [withBody + check, [200, 200]],
      [chunked + check, [200, 200]],
      [`GET /v1/authorize HTTP/1.0\r\nX-Api-Key: ${token}\r\n\r\n`, [200]],
      [`GET /v1/authorize HTTP/1.1\r\nX-Api-Key: ${token}\r\n\r\n`, [400]],
      [
        `GET /v1/authorize HTTP/1.1\r\nHost: k\r\nX-Api-Key: ${token}\r\nConnection: close\r\n\r\n${check}`,
        [200],
      ],
    ] as const) {
      const reader = await open(portOf(lane));
      reader.socket.write(payload, 'latin1');
      const answers = await reader.all(statuses.length);
      expect(`${JSON.stringify(payload.slice(0, 60))} → ${answers.map((a) => a.status)}`).toBe(
        `${JSON.stringify(payload.slice(0, 60))} → ${statuses}`,
      );
      reader.socket.destroy();
    }
  });

  it('answers a check cut short by the client’s end as node:http does (400 problem)', async () => {
    const reader = await open(portOf(lane));
    reader.socket.end('GET /v1/authorize HTTP/1.1\r\nHost: k\r\nX-Api-Key: kw_x\r\n', 'latin1');
    const answer = await reader.next();
    expect(answer?.status).toBe(400);
    expect(answer?.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(answer?.body ?? '{}').error_id).toMatch(/^err_/);
  });

  it('closes idle connections after the keep-alive timeout, and at once when the server closes', async () => {
    const h = await listening({ config });
    const { token } = await tokenWithScopes(h, ['data:read']);
    h.app.server.keepAliveTimeout = 1_000;
    const idle = await open(portOf(h));
    idle.socket.write(doorRequest({ 'X-Api-Key': token }), 'latin1');
    expect((await idle.next())?.headers['keep-alive']).toBe('timeout=1');
    await sleep(3_000);
    expect(idle.closed).toBe(true);

    h.app.server.keepAliveTimeout = 60_000;
    const kept = await open(portOf(h));
    kept.socket.write(doorRequest({ 'X-Api-Key': token }), 'latin1');
    expect((await kept.next())?.status).toBe(200);
    await h.close();
    await kept.next();
    expect(kept.closed).toBe(true);
  });
});
