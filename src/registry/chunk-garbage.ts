// A streamed blob allocates a new buffer for every chunk the source socket reads (64 KiB)
// and drops it once the upload has sent it: a gigabyte is sixteen thousand buffers of
// garbage. V8 sees only their small JavaScript handles, so its young generation fills
// slowly; the buffers' memory piles up until their external size forces a full
// mark-compact (at about 64 MiB), over and over: a copy peaked near 180 MiB where
// listing the registry needs 82 MiB, and those full collections cost CPU.
// A minor collection (a scavenge of the young generation, a fraction of a millisecond)
// after every 512 KiB that passed frees them while they are still young, and their memory
// is given back during the scavenge rather than by a background sweeper some time later.
// Measured copying one 1 GiB layer (max RSS above `ls`'s, same run): +100 MiB before;
// every 2 MiB +25, 1 MiB +21, 512 KiB +19; with the sweeping done in the scavenge, 2 MiB
// +21, 1 MiB +19, 512 KiB +18. CPU time fell too (2.3 s against 3.3 s before): the
// scavenges cost less than the mark-compacts they replace. Measured again against a build
// without this module (`npm run bench -- copy-memory --old PATH`, 4 rounds, load ~15):
// max RSS 69 MiB (+21 over ls) against 110-139 MiB (+62 to +91), CPU 3.0-4.3 s against
// 4.0-6.6 s. test/registry/chunk-garbage.test.ts counts the collections it forces.

/** Bytes between two minor collections. */
export const COLLECT_EVERY = 512 * 1024;

type Collect = (options: { type: 'minor' | 'major' }) => void;
let collect: Collect | null | undefined;
let since = 0;

function load(): Collect | null {
  try {
    // Exposes gc() only to contexts made from now on: the one made here, nothing else.
    // (node:v8 and node:vm on demand: loading them is start-up time for every command.)
    process.getBuiltinModule('node:v8').setFlagsFromString('--expose-gc');
    process.getBuiltinModule('node:v8').setFlagsFromString('--no-concurrent-array-buffer-sweeping');
    const gc = process.getBuiltinModule('node:vm').runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as Collect) : null;
  } catch {
    return null;
  }
}

/** Counts bytes that went through a transfer; collects the young generation every COLLECT_EVERY. */
export function chunksPassed(bytes: number): void {
  since += bytes;
  if (since < COLLECT_EVERY) return;
  since = 0;
  collect ??= load();
  collect?.({ type: 'minor' });
}
