import { connect } from 'node:net';

export type RawAnswer = { status: number; headers: Record<string, string>; body: string; raw: string };

/**
 * Writes bytes to a real socket, half-closes it (so a request the parser still waits on ends as a
 * framing fault instead of a timeout) and reads the first answer until the server closes.
 */
export function rawExchange(port: number, payload: Buffer | string): Promise<RawAnswer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(payload));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset after answering; what arrived before the reset is the answer.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => resolve(parseFirstAnswer(Buffer.concat(chunks).toString('latin1'))));
  });
}

function parseFirstAnswer(raw: string): RawAnswer | null {
  if (raw === '') return null;
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`not an HTTP answer: ${JSON.stringify(raw.slice(0, 200))}`);
  const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const cut = line.indexOf(':');
    headers[line.slice(0, cut).trim().toLowerCase()] = line.slice(cut + 1).trim();
  }
  let body = raw.slice(end + 4);
  const length = Number(headers['content-length'] ?? Number.NaN);
  if (Number.isInteger(length)) body = body.slice(0, length);
  return { status, headers, body, raw };
}
