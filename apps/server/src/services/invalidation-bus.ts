import { Redis } from 'ioredis';
import { type BusHandlers, type ChangeBus, decodeMessage, encodeMessage } from './change-bus.ts';

export type RedisChangeBusOptions = { redisUrl: string; channel: string; node: string };

/**
 * The change bus over Redis pub/sub. The subscription is named `keyward-bus-<node>`, so an
 * operator (or a test) can tell it apart in CLIENT LIST.
 */
export function createRedisChangeBus(
  { redisUrl, channel, node }: RedisChangeBusOptions,
  handlers: BusHandlers,
): ChangeBus {
  const retryStrategy = (attempt: number) => Math.min(attempt * 50, 1_000);
  // A publish that cannot go out fails at once: the change log carries it to the others anyway.
  const publisher = new Redis(redisUrl, {
    retryStrategy,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // A partition keeps the socket open but answers nothing: give up rather than pile up.
    commandTimeout: 1_000,
    connectionName: `keyward-pub-${node}`,
  });
  const subscriber = new Redis(redisUrl, {
    retryStrategy,
    maxRetriesPerRequest: 1,
    connectionName: `keyward-bus-${node}`,
  });
  publisher.on('error', () => {});
  let subscribed = false;

  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => {
        subscribed = true;
        handlers.onState(true);
      },
      (error: unknown) => handlers.onState(false, error),
    );
  });
  const lost = (error?: unknown) => {
    if (!subscribed && error === undefined) return;
    subscribed = false;
    handlers.onState(false, error);
  };
  subscriber.on('error', lost);
  subscriber.on('close', () => lost());
  subscriber.on('message', (_channel: string, text: string) => {
    const message = decodeMessage(text);
    if (message) handlers.onMessage(message);
  });

  return {
    kind: 'redis',
    async publish(message) {
      await publisher.publish(channel, encodeMessage(message));
    },
    async close() {
      subscriber.removeAllListeners('close');
      subscriber.removeAllListeners('error');
      subscriber.on('error', () => {});
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
