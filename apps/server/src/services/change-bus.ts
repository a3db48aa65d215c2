import type { CacheChange } from './verifier.ts';

/** What a node announces after a commit: who made it, its place in the change log, what changed. */
export type BusMessage = { node: string; seq: number; change: CacheChange };

export type BusHandlers = {
  onMessage(message: BusMessage): void;
  /** Subscribed (true) or not (false); while not, the node does not trust its cache. */
  onState(connected: boolean, error?: unknown): void;
};

/**
 * Fans committed changes out to the other nodes fast (a few ms). At-most-once: a message lost on
 * the way is caught by the change-log poll (`change-feed.ts`) within the trust window.
 */
export type ChangeBus = {
  readonly kind: 'redis' | 'postgres';
  publish(message: BusMessage): Promise<void>;
  close(): Promise<void>;
};

export function encodeMessage(message: BusMessage): string {
  return JSON.stringify(message);
}

export function decodeMessage(text: string): BusMessage | null {
  try {
    const message = JSON.parse(text) as BusMessage;
    return typeof message.node === 'string' &&
      Number.isSafeInteger(message.seq) &&
      typeof message.change === 'object' &&
      message.change !== null
      ? message
      : null;
  } catch {
    return null;
  }
}
