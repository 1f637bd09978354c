import test from 'ava';
import { createLimit, mapLimit } from '../../src/registry/limit.ts';

const tick = () => new Promise((r) => setTimeout(r, 2));

test('a limit never runs more than its size at once, and runs everything', async (t) => {
  const limit = createLimit(3);
  let running = 0;
  let most = 0;
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      limit.run(async () => {
        running += 1;
        most = Math.max(most, running);
        await tick();
        running -= 1;
        return i;
      }),
    ),
  );
  t.is(most, 3);
  t.deepEqual(
    results,
    Array.from({ length: 20 }, (_, i) => i),
  );
});

test('a failing task gives its slot back', async (t) => {
  const limit = createLimit(1);
  await t.throwsAsync(limit.run(async () => Promise.reject(new Error('x'))));
  t.is(await limit.run(async () => 'next'), 'next');
});

test('a waiter whose signal aborts leaves the queue', async (t) => {
  const limit = createLimit(1);
  const release = await limit.acquire();
  const controller = new AbortController();
  const waiting = limit.acquire(controller.signal);
  controller.abort(new Error('stop'));
  await t.throwsAsync(waiting, { message: 'stop' });
  release();
  release(); // a second release is ignored
  // Had the aborted waiter kept its place, this would wait forever (and the test time out).
  t.is(typeof (await limit.acquire()), 'function');
});

test('mapLimit keeps order', async (t) => {
  t.deepEqual(
    await mapLimit([5, 1, 3], 2, async (n) => {
      await tick();
      return n * 2;
    }),
    [10, 2, 6],
  );
});
