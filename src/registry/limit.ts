// A counting semaphore: at most `size` tasks hold a slot at once, the rest wait in
// order. The registry client uses one per host so a thousand concurrent callers
// become `size` requests in flight over kept-alive connections.
//
// Thousands of waiters usually share one AbortSignal (the command's): each signal gets
// ONE abort listener, not one per waiter, which would make every wait O(waiters).

export interface Limit {
  /** Runs fn when a slot is free and releases the slot when fn settles. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Takes a slot; call the returned function exactly once to give it back (extra calls are ignored). */
  acquire(signal?: AbortSignal): Promise<() => void>;
  readonly size: number;
}

interface Waiter {
  grant(): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
}

export function createLimit(size: number): Limit {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`limit must be a positive integer, got ${size}`);
  let active = 0;
  const waiting = new Set<Waiter>(); // insertion order: first come, first served
  const bySignal = new Map<AbortSignal, Set<Waiter>>();

  const forget = (w: Waiter): void => {
    waiting.delete(w);
    if (!w.signal) return;
    const set = bySignal.get(w.signal);
    set?.delete(w);
    if (set && set.size === 0) {
      bySignal.delete(w.signal);
      w.signal.removeEventListener('abort', onAbort);
    }
  };

  function onAbort(this: AbortSignal): void {
    const set = bySignal.get(this);
    if (!set) return;
    const reason = this.reason instanceof Error ? this.reason : new Error('aborted');
    for (const w of [...set]) {
      forget(w);
      w.reject(reason);
    }
  }

  const once = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiting.values().next();
      if (next.done) {
        active -= 1;
        return;
      }
      forget(next.value);
      next.value.grant();
    };
  };

  const acquire = (signal?: AbortSignal): Promise<() => void> => {
    if (signal?.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (active < size) {
      active += 1;
      return Promise.resolve(once());
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = { grant: () => resolve(once()), reject, signal };
      waiting.add(w);
      if (signal) {
        let set = bySignal.get(signal);
        if (!set) {
          bySignal.set(signal, (set = new Set()));
          signal.addEventListener('abort', onAbort, { once: true });
        }
        set.add(w);
      }
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
