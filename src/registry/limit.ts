// A counting semaphore: at most `size` tasks hold a slot at once, the rest wait in
// order. The registry client uses one per host so a thousand concurrent callers
// become `size` requests in flight over kept-alive connections.

export interface Limit {
  /** Runs fn when a slot is free and releases the slot when fn settles. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Takes a slot; call the returned function exactly once to give it back. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  readonly size: number;
}

export function createLimit(size: number): Limit {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`limit must be a positive integer, got ${size}`);
  let active = 0;
  const waiting: Array<() => void> = [];

  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  };

  const acquire = (signal?: AbortSignal): Promise<() => void> => {
    const once = (): (() => void) => {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
      };
    };
    if (active < size) {
      active += 1;
      return Promise.resolve(once());
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(once());
      };
      const onAbort = (): void => {
        const i = waiting.indexOf(grant);
        if (i !== -1) waiting.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.push(grant);
    });
  };

  return {
    size,
    acquire,
    async run<T>(fn: () => Promise<T>): Promise<T> {
      const done = await acquire();
      try {
        return await fn();
      } finally {
        done();
      }
    },
  };
}

/** Maps items through fn with at most `size` running at once; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], size: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}
