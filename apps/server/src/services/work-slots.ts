import { KeywardError } from '@keyward/core';

export type WorkSlotsOptions = {
  /** Jobs that run at once. */
  concurrency: number;
  /** Jobs that may wait for a slot; past it a job is refused at once (503 SERVER_BUSY). */
  queueLimit: number;
};

/**
 * A bounded semaphore for expensive work (argon2id: 64 MiB and ~100 ms of CPU per hash), so a
 * flood of sign-ins costs a fixed amount of memory and CPU: the excess is answered 503 with
 * Retry-After instead of queuing without end.
 */
export function createWorkSlots({ concurrency, queueLimit }: WorkSlotsOptions) {
  let running = 0;
  const waiting: (() => void)[] = [];

  async function acquire(): Promise<void> {
    if (running < concurrency) {
      running++;
      return;
    }
    if (waiting.length >= queueLimit) {
      throw new KeywardError('SERVER_BUSY', 'Too many sign-ins are being checked; retry in a moment', {
        retry_after: 1,
        record: false,
      });
    }
    // The slot passes straight from the job that ends to the one that waited longest.
    await new Promise<void>((resolve) => waiting.push(resolve));
  }

  function release(): void {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }

  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      await acquire();
      try {
        return await work();
      } finally {
        release();
      }
    },
    stats: () => ({ running, waiting: waiting.length }),
  };
}

export type WorkSlots = ReturnType<typeof createWorkSlots>;
