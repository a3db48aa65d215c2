import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay to a local port that a test can cut (every connection dropped, new ones refused),
 * stall (connections stay open but nothing passes, like a partitioned network) and restore.
 */
export async function startTcpProxy(targetPort: number) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let stalled = false;
  let port = 0;
  const start = () =>
    new Promise<void>((resolve) => {
      stalled = false;
      if (server) return resolve();
      server = createServer((client) => {
        sockets.add(client);
        client.on('close', () => sockets.delete(client));
        client.on('error', () => client.destroy());
        if (stalled) return;
        const upstream = connect(targetPort, '127.0.0.1');
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server?.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });
  /** Open connections stop carrying bytes and new ones are accepted but never forwarded. */
  const stall = () => {
    stalled = true;
    for (const s of sockets) {
      s.unpipe();
      s.pause();
    }
  };
  await start();
  return { port, start, stop, stall };
}
