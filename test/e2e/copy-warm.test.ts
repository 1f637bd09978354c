// A warm `cp -q` through the real executable between real registry containers: what it asks
// each end, counted in their access logs. With referrers carried, the source is asked for the
// image, its tag list (cosign's and the fallback tags) and its referrers API (distribution
// answers 404: no API), the destination once (a HEAD of the tag); --no-referrers leaves the
// two referrer lookups out. That these are asked at once rather than in turn (copy.ts) is
// shown where an answer can be held back: test/registry/copy-warm.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ask, during } from '../helpers/access-log.ts';
import { e2e, registryImages, startTestRegistry } from '../helpers/engine.ts';
import { pushArchy } from '../helpers/images.ts';
import { jindr, run } from '../helpers/run.ts';

const cache = mkdtempSync(join(tmpdir(), 'jindr-copy-warm-'));
test.after.always(() => rmSync(cache, { recursive: true, force: true }));
const env = { ...process.env, XDG_CACHE_HOME: cache };

for (const image of registryImages) {
  e2e(`${image}: a warm cp -q asks the source for the image, its tag list and referrers, the destination once`, async (t) => {
    const [src, dst] = [await startTestRegistry({ image }), await startTestRegistry({ image })];
    t.teardown(() => Promise.all([src.remove(), dst.remove()]));
    const index = await pushArchy(src.host, { repo: 'busybox', tag: 'latest' });
    const cold = await jindr(['cp', '-q', `${src.host}/busybox:latest`, dst.host], { env, timeoutMs: 120_000 });
    t.is(cold.code, 0, cold.stderr);

    for (const [flags, source] of [
      [[], ['GET /v2/busybox/manifests/latest', 'GET /v2/busybox/tags/list?n=1000', `GET /v2/busybox/referrers/${index.digest}`]],
      [['--no-referrers'], ['GET /v2/busybox/manifests/latest']],
    ] as const) {
      let out = '';
      const [s, d] = await during([src, dst], async () => {
        const warm = await jindr(['cp', '-q', ...flags, `${src.host}/busybox:latest`, dst.host], { env, timeoutMs: 60_000 });
        t.is(warm.code, 0, warm.stderr);
        out = warm.stdout;
      });
      t.is(out.trim(), `${dst.host}/busybox:latest`);
      t.deepEqual(s!.map(ask).sort(), [...source].sort(), `source, ${flags.join(' ') || 'referrers carried'}`);
      t.deepEqual(d!.map(ask), ['HEAD /v2/busybox/manifests/latest'], `destination, ${flags.join(' ') || 'referrers carried'}`);
    }
    const skopeo = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${dst.host}/busybox:latest`]);
    t.is(skopeo.code, 0, skopeo.stderr);
    t.true(skopeo.stdout.includes(index.manifests[0]!.digest));
  });
}
