import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { verifyWebhook, type WebhookEvent } from '@keyward/sdk';

export type Received = {
  headers: IncomingHttpHeaders;
  body: string;
  /** The event, when its signature verified under the receiver's secret; null otherwise. */
  event: WebhookEvent | null;
  failure: string | null;
};

/** What the receiver answers the nth request (0-based): a status, or 'hang' (never answers). */
export type Plan = (n: number) => number | 'hang';

/**
 * A webhook receiver on a real socket: it records every request and verifies each signature with
 * the SDK's helper, against the secret it is given and the clock the test controls.
 */
export async function startReceiver(now: () => number, plan: Plan = () => 200) {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  let secret = '';
  let onRequest: (() => void) | null = null;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let event: WebhookEvent | null = null;
      let failure: string | null = null;
      try {
        event = await verifyWebhook(secret, req.headers as Record<string, string>, body, { now: now() });
      } catch (error) {
        failure = (error as Error).message;
      }
      const answer = plan(received.length);
      received.push({ headers: req.headers, body, event, failure });
      onRequest?.();
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks/keyward`,
    received,
    setSecret(value: string) {
      secret = value;
    },
    /** Resolves once `count` requests have arrived. */
    waitFor(count: number): Promise<void> {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve) => {
        onRequest = () => {
          if (received.length >= count) resolve();
        };
      });
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
