import type { Notifications } from '@keyward/storage';
import { type BusHandlers, type ChangeBus, decodeMessage, encodeMessage } from './change-bus.ts';

/**
 * The change bus over PostgreSQL LISTEN/NOTIFY, for clusters without Redis: one dedicated
 * connection per node listens; a publish is one `pg_notify` through the pool.
 */
export function createPostgresChangeBus(
  notifications: Notifications,
  node: string,
  handlers: BusHandlers,
): ChangeBus {
  const listener = notifications.listen(
    (payload) => {
      const message = decodeMessage(payload);
      if (message) handlers.onMessage(message);
    },
    (listening, error) => handlers.onState(listening, error),
    `keyward-bus-${node}`,
  );
  return {
    kind: 'postgres',
    publish: (message) => notifications.notify(encodeMessage(message)),
    close: () => listener.close(),
  };
}
