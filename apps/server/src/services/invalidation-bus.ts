import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CacheChange, Verifier } from './verifier.ts';

export type InvalidationBusOptions = {
  redisUrl: string;
  channel: string;
  verifier: Verifier;
  logger: Logger;
};

type Message = { node: string; change: CacheChange };

function parse(text: string): Message | null {
  try {
    const message = JSON.parse(text) as Message;
    return typeof message.node === 'string' && typeof message.change === 'object' ? message : null;
  } catch {
    return null;
  }
}

/**
 * Fans every cache change out to the other nodes over Redis pub/sub, and applies theirs here.
 * A node that is not subscribed (starting, or cut off from Redis) cannot hear revocations, so it
 * stops answering from its cache until it is subscribed again; then it starts from an empty cache.
 */
export function createInvalidationBus({ redisUrl, channel, verifier, logger }: InvalidationBusOptions) {
  const node = randomBytes(8).toString('hex');
  const options = {
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 2_000),
  };
  const publisher = new Redis(redisUrl, options);
  // Named, so an operator (or a test) can tell the bus's subscription apart in CLIENT LIST.
  const subscriber = new Redis(redisUrl, { ...options, connectionName: `keyward-bus-${node}` });
  publisher.on('error', () => {});
  let subscribed = false;
  let reported = false;

  verifier.setCacheTrusted(false);
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => {
        subscribed = true;
        reported = false;
        verifier.setCacheTrusted(true);
        logger.info('cache invalidation bus connected: cached verifications are trusted');
      },
      (error: unknown) => logger.warn({ err: error }, 'could not subscribe to the cache invalidation bus'),
    );
  });
  const lost = (error?: unknown) => {
    if (subscribed || !reported) {
      logger.warn(
        { err: error },
        'cache invalidation bus lost: every verification reads the database until it is back',
      );
      reported = true;
    }
    subscribed = false;
    verifier.setCacheTrusted(false);
  };
  subscriber.on('error', lost);
  subscriber.on('close', () => lost());
  subscriber.on('message', (_channel: string, text: string) => {
    const message = parse(text);
    if (message && message.node !== node) verifier.invalidate(message.change, { broadcast: false });
  });

  verifier.onInvalidate((change) => {
    publisher.publish(channel, JSON.stringify({ node, change } satisfies Message)).catch((error: unknown) => {
      // The other nodes missed a change: they must not trust their caches (they will notice the
      // lost connection too); this node logs it, and its own cache is already correct.
      logger.error({ err: error }, 'could not publish a cache invalidation');
    });
  });

  return {
    node,
    connected: () => subscribed,
    /** Resolves once subscribed (false after `timeoutMs`); for start-up and tests. */
    async waitUntilConnected(timeoutMs = 2_000): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (!subscribed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return subscribed;
    },
    async close() {
      subscriber.removeAllListeners('close');
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}

export type InvalidationBus = ReturnType<typeof createInvalidationBus>;
