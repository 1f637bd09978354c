// Registries that misbehave: garbage, cut-off JSON, a proxy's HTML 502 page, a truncated
// body, silence (a time-out, made short with JINDR_TIMEOUT_MS), and an image whose
// manifest or blob bytes do not match their digests. The built binary runs against the
// in-process registry (test/fakes/oci-registry.ts) told to misbehave so; every command
// must exit 1 with one line on stderr that names
// the registry, no stack trace, and nothing deleted or written anywhere. The copies into
// a real registry (which must then hold no tag) need the engine.
import test, { type ExecutionContext } from 'ava';
import { MISBEHAVIOURS, startOciRegistry, type Misbehaviour, type OciRegistry } from '../fakes/oci-registry.ts';
import { e2e, registryImages, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { buildRandomImage, type BuiltManifest } from '../helpers/images.ts';
import { limiter } from '../helpers/limited.ts';
import { errorLine, jindr, type RunResult, jsonLines } from '../helpers/run.ts';

const limited = limiter(4);
const closers: Array<() => Promise<unknown>> = [];
test.after.always(async () => {
  await Promise.all(closers.map((c) => c()));
});

/** An empty registry that answers every request as `behaviour` says. */
async function bad(behaviour: Misbehaviour): Promise<OciRegistry> {
  const r = await startOciRegistry();
  closers.push(() => r.close());
  r.faults.add(MISBEHAVIOURS[behaviour]);
  return r;
}

interface ImageRegistryOptions {
  /** Served bytes of this blob have one byte changed (same length). */
  corruptBlob?: string;
  /** This blob's body stops half-way and the connection closes. */
  truncateBlob?: string;
  /** This blob's body stops half-way and the registry then says nothing more. */
  stallBlob?: string;
  /** A Docker-Content-Digest header that is not the manifest's digest. */
  wrongDigestHeader?: string;
  /** The manifest bytes stored are not those of the image (one whitespace more), under the image's digest. */
  alteredManifest?: boolean;
}

/** A registry holding one image as app:v1, misbehaving as options say. */
async function imageRegistry(options: ImageRegistryOptions, image: BuiltManifest = buildRandomImage({ layers: 3, layerSize: 100_000 })) {
  const r = await startOciRegistry();
  closers.push(() => r.close());
  r.store.pushImage('app', 'v1', image);
  if (options.alteredManifest) {
    r.store
      .repository('app')!
      .manifests.set(image.digest, { bytes: Buffer.concat([image.bytes, Buffer.from('\n')]), mediaType: image.mediaType });
  }
  if (options.wrongDigestHeader) r.faults.add({ path: '/manifests/', headers: { 'docker-content-digest': options.wrongDigestHeader } });
  if (options.corruptBlob) {
    const changed = Buffer.from(r.store.blob('app', options.corruptBlob)!);
    changed[changed.length >> 1] = changed[changed.length >> 1]! ^ 0xff;
    r.store.putBlob('app', changed, options.corruptBlob);
  }
  for (const [digest, stall] of [
    [options.truncateBlob, false],
    [options.stallBlob, true],
  ] as const) {
    const size = image.layers.find((l) => l.digest === digest)?.size;
    if (digest && size) r.faults.add({ method: 'GET', path: `/blobs/${digest}`, cut: size >> 1, stall });
  }
  return { registry: r, image };
}

function run(args: readonly string[]): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, JINDR_TIMEOUT_MS: '1000' };
  delete env.DOCKER_HOST;
  return limited(() => jindr(args, { env, timeoutMs: 60_000 }));
}

/** The one error line (exit 1, see errorLine), without the "docker-jindr: " prefix. */
function oneLine(t: ExecutionContext, result: RunResult): string {
  return errorLine(t, result, 1).slice('docker-jindr: '.length);
}

/** Nothing but reads reached the registry. */
function onlyReads(t: ExecutionContext, r: OciRegistry): void {
  t.deepEqual(
    r.requests().filter((q) => !/^(GET|HEAD) /.test(q)),
    [],
    'no DELETE, PUT, POST or PATCH',
  );
}

const quoted = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What each misbehaviour must say, for the registry at host. */
const expected: Record<Misbehaviour, (host: string) => RegExp> = {
  garbage: (h) => new RegExp(`^${quoted(h)}.*not JSON \\(check that the registry at ${quoted(h)} is a Docker registry\\)$`),
  'invalid-json': (h) => new RegExp(`^${quoted(h)}.*not JSON \\(check that the registry at ${quoted(h)} is a Docker registry\\)$`),
  'html-502': (h) =>
    new RegExp(
      `^${quoted(h)} answered 502 \\(bad gateway\\) to GET /v2/\\S+: an HTML page titled "502 Bad Gateway" \\(check that ${quoted(h)} is a Docker registry and is running\\)$`,
    ),
  truncated: (h) => new RegExp(`^${quoted(h)} closed the connection during a request \\(tried again, still failing\\)$`),
  silent: (h) => new RegExp(`^${quoted(h)} did not answer within 1 s \\(JINDR_TIMEOUT_MS=<milliseconds> waits longer\\)$`),
};

const commands: Array<[string, (dst: string) => string[]]> = [
  ['ls', () => ['ls']],
  ['lsi', () => ['lsi']],
  ['lsi REPO', () => ['lsi', 'app']],
  ['inspect', () => ['inspect', 'app:v1']],
  ['inspect --layers', () => ['inspect', '--layers', 'app:v1']],
  ['rmi', () => ['rmi', 'app:v1']],
  ['rmi --force', () => ['rmi', '--force', 'app:v1']],
  ['rmr', () => ['rmr', 'app']],
  ['cp', (dst) => ['cp', '-q', 'app:v1', dst]],
];

for (const behaviour of Object.keys(expected) as Misbehaviour[]) {
  for (const [name, args] of commands) {
    test(`${name} against a registry answering ${behaviour}: one line naming it, nothing changed`, async (t) => {
      const registry = await bad(behaviour);
      const destination = await bad('silent');
      const line = oneLine(t, await run(['-r', registry.host, ...args(destination.host)]));
      t.regex(line, expected[behaviour](registry.host));
      onlyReads(t, registry);
      // cp asks the destination's HEAD of the tag while it reads the source (a warm copy asks at
      // once): a read, never a write, and the error still names the source.
      onlyReads(t, destination);
    });
  }
}

test('the time-out is JINDR_TIMEOUT_MS; a value that is not a number of milliseconds is refused', async (t) => {
  const registry = await bad('silent');
  const line = oneLine(t, await limited(() => jindr(['-r', registry.host, 'ls'], { env: { ...process.env, JINDR_TIMEOUT_MS: '300' } })));
  t.is(line, `${registry.host} did not answer within 0.3 s (JINDR_TIMEOUT_MS=<milliseconds> waits longer)`);
  const refused = await limited(() => jindr(['-r', registry.host, 'ls'], { env: { ...process.env, JINDR_TIMEOUT_MS: '5s' } }));
  t.is(refused.code, 2);
  t.is(refused.stderr, 'docker-jindr: JINDR_TIMEOUT_MS must be a whole number of milliseconds, 1 or more (got "5s")\n');
});

// ---- wrong digests ----------------------------------------------------------------

test('inspect: a manifest whose bytes do not match Docker-Content-Digest is refused, naming both digests', async (t) => {
  const wrong = `sha256:${'b'.repeat(64)}`;
  const { registry, image } = await imageRegistry({ wrongDigestHeader: wrong });
  const line = oneLine(t, await run(['-r', registry.host, 'inspect', 'app:v1']));
  t.is(
    line,
    `${registry.host}/app@${wrong}: the registry sent a manifest whose digest is ${image.digest} (corrupt storage or a proxy rewriting it)`,
  );
});

test('inspect by digest: manifest bytes that hash to something else are refused', async (t) => {
  const { registry, image } = await imageRegistry({ alteredManifest: true });
  const line = oneLine(t, await run(['-r', registry.host, 'inspect', `app@${image.digest}`]));
  t.regex(
    line,
    new RegExp(
      `^${quoted(registry.host)}/app@${image.digest}: the registry sent a manifest whose digest is sha256:[a-f0-9]{64} \\(corrupt storage or a proxy rewriting it\\)$`,
    ),
  );
  t.notRegex(line, new RegExp(`whose digest is ${image.digest}`));
});

for (const force of [false, true]) {
  test(`rmi${force ? ' --force' : ''}: a manifest that does not match its digest deletes nothing`, async (t) => {
    const { registry } = await imageRegistry({ alteredManifest: true });
    const line = oneLine(t, await run(['-r', registry.host, 'rmi', ...(force ? ['--force'] : []), 'app:v1']));
    t.regex(line, /the registry sent a manifest whose digest is sha256:[a-f0-9]{64} \(corrupt storage or a proxy rewriting it\)$/);
    onlyReads(t, registry);
  });
}

test('the image fake serves a good image when told nothing (so the failures above are its misbehaviour)', async (t) => {
  const { registry, image } = await imageRegistry({});
  const result = await run(['-r', registry.host, '--format', 'json', 'inspect', 'app:v1']);
  t.is(result.code, 0, result.stderr);
  t.is(jsonLines<{ digest: string }>(result.stdout)[0]?.digest, image.digest);
});

// ---- copies into a real registry: nothing tagged --------------------------------------

const destinations = new Map<string, TestRegistry>();
test.after.always(async () => {
  await Promise.all([...destinations.values()].map((d) => d.remove()));
});

async function destination(image: string): Promise<TestRegistry> {
  let d = destinations.get(image);
  if (!d) destinations.set(image, (d = await startTestRegistry({ image })));
  return d;
}

/** The destination has no tag in repo (and so nothing a pull could find). */
async function untagged(t: ExecutionContext, host: string, repo: string): Promise<void> {
  const response = await fetch(`http://${host}/v2/${repo}/tags/list`);
  const tags = response.status === 404 ? null : ((await response.json()) as { tags: string[] | null }).tags;
  t.true(tags === null || tags.length === 0, `tags of ${host}/${repo}: ${JSON.stringify(tags)}`);
}

async function blobAt(host: string, repo: string, digest: string): Promise<number> {
  return (await fetch(`http://${host}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' })).status;
}

for (const image of registryImages) {
  e2e(
    `${image}: cp of a blob whose bytes do not match its digest fails naming the source; the blob is not stored and nothing is tagged`,
    async (t) => {
      const dst = await destination(image);
      const built = buildRandomImage({ layers: 3, layerSize: 100_000 });
      const corrupt = built.layers[1]!.digest;
      const { registry } = await imageRegistry({ corruptBlob: corrupt }, built);
      const line = oneLine(t, await run(['-r', registry.host, 'cp', '-q', '-j', '1', 'app:v1', '--to', `${dst.host}/corrupt:v1`]));
      t.regex(
        line,
        new RegExp(
          `^${quoted(registry.host)}/app: blob ${corrupt} arrived with content hashing to sha256:[a-f0-9]{64}: not copied \\(corrupt storage there, or a proxy changing it\\)$`,
        ),
      );
      await untagged(t, dst.host, 'corrupt');
      t.is(await blobAt(dst.host, 'corrupt', corrupt), 404);
      onlyReads(t, registry);
    },
  );

  e2e(`${image}: cp of a manifest that does not match its digest writes nothing`, async (t) => {
    const dst = await destination(image);
    const { registry } = await imageRegistry({ alteredManifest: true });
    const line = oneLine(t, await run(['-r', registry.host, 'cp', '-q', 'app:v1', '--to', `${dst.host}/altered:v1`]));
    t.regex(line, /the registry sent a manifest whose digest is sha256:[a-f0-9]{64} \(corrupt storage or a proxy rewriting it\)$/);
    await untagged(t, dst.host, 'altered');
  });
}

for (const [what, option] of [
  ['closes the connection', 'truncateBlob'],
  ['stops sending (a time-out)', 'stallBlob'],
] as const) {
  e2e(`cp from a source that ${what} half-way through a blob: the source is named, retried, nothing tagged`, async (t) => {
    const dst = await destination('registry:3');
    const built = buildRandomImage({ layers: 2, layerSize: 200_000 });
    const broken = built.layers[0]!.digest;
    const { registry } = await imageRegistry({ [option]: broken }, built);
    const repo = option === 'truncateBlob' ? 'truncated' : 'stalled';
    const result = await run(['-r', registry.host, 'cp', '-j', '1', 'app:v1', '--to', `${dst.host}/${repo}:v1`]);
    t.is(result.code, 1, result.stderr);
    const last = result.stderr.trimEnd().split('\n').at(-1) ?? '';
    const message = expected[option === 'truncateBlob' ? 'truncated' : 'silent'](registry.host);
    t.regex(last.replace(/^docker-jindr: /, ''), message);
    t.is(result.stderr.split('\n').filter((l) => l.startsWith('docker-jindr:')).length, 1);
    t.regex(result.stderr, /retrying \(/, 'retried before giving up');
    t.notRegex(
      result.stderr,
      new RegExp(quoted(dst.host).replace(/^localhost/, '(localhost|127\\.0\\.0\\.1)') + ' (closed|did not answer)'),
      'the destination is not blamed',
    );
    // Its blob requests: the first attempt and the retries.
    t.true(registry.requests().filter((r) => r === `GET /v2/app/blobs/${broken}`).length >= 2);
    await untagged(t, dst.host, repo);
    t.is(await blobAt(dst.host, repo, broken), 404);
  });
}
