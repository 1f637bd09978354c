import test from 'ava';
import { mirrorSavings, parseProxyMetrics, type ProxyMetrics } from '../../src/mirror/mirror-metrics.ts';
import type { StorageListing } from '../../src/storage/storage-listing.ts';

const MANIFEST = `sha256:${'1'.repeat(64)}`;
const LAYER = `sha256:${'2'.repeat(64)}`;
const CONFIG = `sha256:${'3'.repeat(64)}`;
const OLD = `sha256:${'4'.repeat(64)}`;
const STARTED = 1_000;

/** A cache holding one image fetched since the start (manifest, config, layer) and one blob from before it. */
function listing(): StorageListing {
  return {
    repositories: [{ name: 'reg', tags: new Map([['2', MANIFEST]]), manifests: [MANIFEST] }],
    blobs: new Map([
      [MANIFEST, 428],
      [LAYER, 9_044_623],
      [CONFIG, 1000],
      [OLD, 5000],
    ]),
    times: {
      now: 2_000,
      blobs: new Map([
        [MANIFEST, 1_010],
        [LAYER, 1_010],
        [CONFIG, STARTED],
        [OLD, STARTED - 1],
      ]),
      layers: new Map(),
      revisions: new Map(),
      uploads: new Map(),
    },
    uploads: [],
    leftAlone: [],
  };
}

/** The counters of distribution 2.8.2, as /debug/vars gave them here after the same image was pulled twice. */
const measured = (): string =>
  JSON.stringify({
    cmdline: ['registry', 'serve', '/etc/m.yml'],
    registry: {
      cache: { storage: { blobdescriptor: {} } },
      proxy: {
        blobs: { Requests: 6, Hits: 6, Misses: 0, BytesPulled: 0, BytesPushed: 27_136_869 },
        manifests: { Requests: 2, Hits: 2, Misses: 1, BytesPulled: 428, BytesPushed: 856 },
      },
    },
  });

test('2.8 counts each fetched blob twice and never as a miss: fetched blobs are those written since the start', (t) => {
  const metrics = parseProxyMetrics(measured())!;
  t.deepEqual(metrics.manifests, { requests: 2, hits: 2, misses: 1, bytesPulled: 428, bytesPushed: 856 });
  // Second pull: the manifest and both blobs from the cache; first pull: all three fetched.
  t.deepEqual(mirrorSavings(metrics, listing(), STARTED), { hits: 3, misses: 3, saved: 428 + 9_044_623 + 1000 });
});

test('after the first pull alone nothing was saved', (t) => {
  const metrics: ProxyMetrics = {
    blobs: { requests: 4, hits: 4, misses: 0, bytesPulled: 0, bytesPushed: 18_091_246 },
    manifests: { requests: 1, hits: 1, misses: 1, bytesPulled: 428, bytesPushed: 428 },
  };
  t.deepEqual(mirrorSavings(metrics, listing(), STARTED), { hits: 0, misses: 3, saved: 0 });
});

test('a registry that counts blob misses itself is taken at its word', (t) => {
  const metrics: ProxyMetrics = {
    blobs: { requests: 4, hits: 2, misses: 2, bytesPulled: 9_045_623, bytesPushed: 18_091_246 },
    manifests: { requests: 2, hits: 1, misses: 1, bytesPulled: 428, bytesPushed: 856 },
  };
  t.deepEqual(mirrorSavings(metrics, listing(), STARTED), { hits: 3, misses: 3, saved: 428 + 9_045_623 });
});

test('no proxy counters (no debug endpoint, another shape): undefined', (t) => {
  t.is(parseProxyMetrics('not json'), undefined);
  t.is(parseProxyMetrics(JSON.stringify({ registry: {} })), undefined);
  t.is(parseProxyMetrics(JSON.stringify({ registry: { proxy: { blobs: { Requests: 1 }, manifests: {} } } })), undefined);
  t.is(
    parseProxyMetrics(
      JSON.stringify({
        registry: {
          proxy: {
            blobs: { Requests: -1, Hits: 0, Misses: 0, BytesPulled: 0, BytesPushed: 0 },
            manifests: { Requests: 0, Hits: 0, Misses: 0, BytesPulled: 0, BytesPushed: 0 },
          },
        },
      }),
    ),
    undefined,
  );
});
