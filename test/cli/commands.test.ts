// Whole commands in-process, as a table of (argv -> exit code, stdout, stderr) in the
// manner of regctl's cmd/regctl/main_test.go: main() with its own world (test/helpers/
// in-process.ts) against two in-process registries (test/fakes/oci-registry.ts), SRC and
// DST, fresh for every row and seeded alike. Commands that need the Docker engine (start,
// stop, gc, info, logs, stat) are tested end to end in test/e2e.
import test, { type ExecutionContext } from 'ava';
import pkg from '../../package.json' with { type: 'json' };
import metadata from '../../plugin-metadata/metadata.json' with { type: 'json' };
import { closedHost, startOciRegistry, type OciRegistry, type OciRegistryOptions } from '../fakes/oci-registry.ts';
import { buildIndex, buildManifest, tar, type BuiltManifest, type ImageFormat } from '../helpers/images.ts';
import { dockerConfigEnv, jindrInProcess, tableCells } from '../helpers/in-process.ts';

function image(format: ImageFormat, architecture: string, name: string): BuiltManifest {
  return buildManifest(
    format,
    { os: 'linux', architecture },
    [tar([{ name: `${name}.txt`, type: 'file', data: Buffer.from(`${name} for ${architecture}\n`) }])],
    [`/${name}.txt`],
  );
}

// SRC holds: app:v1 and app:latest (one OCI index of amd64 + arm64), team/api:1.0 (the amd64
// image of app, so its layer is shared), tools:dev (a Docker v2 manifest) and legacy:v1 (a
// Docker manifest list).
const amd64 = image('oci', 'amd64', 'app');
const arm64 = image('oci', 'arm64', 'app');
const app = buildIndex('oci', [amd64, arm64]);
const tools = image('docker', 'amd64', 'tools');
const legacy = buildIndex('docker', [image('docker', 'amd64', 'legacy'), image('docker', 'arm64', 'legacy')]);

/** Config and layers as stored, each distinct blob once (what lsi's SIZE counts). */
const size = (...images: BuiltManifest[]): number => {
  const blobs = new Map(images.flatMap((m) => [m.config, ...m.layers]).map((b) => [b.digest, b.size]));
  return [...blobs.values()].reduce((a, b) => a + b, 0);
};
const bytes = (n: number): string => (n < 1000 ? `${n}B` : `${(n / 1000).toFixed(2)}kB`);
const id = (digest: string): string => digest.slice('sha256:'.length, 'sha256:'.length + 12);

interface Fixture {
  src: string;
  dst: string;
  /** A loopback port nothing listens on. */
  closed: string;
  srcFake: OciRegistry;
  dstFake: OciRegistry;
}

/** Exact text, a pattern, a table's cells (a cell may be a pattern), JSON, or JSON lines (--format json: one object a line). */
type Expect = string | RegExp | { table: Array<Array<string | RegExp>> } | { json: unknown } | { jsonLines: unknown[] };

interface Row {
  argv: (w: Fixture) => string[];
  code: number;
  /** Default: nothing. */
  stdout?: (w: Fixture) => Expect;
  /** Default: nothing. */
  stderr?: (w: Fixture) => Expect;
  src?: OciRegistryOptions;
  dst?: OciRegistryOptions;
  /** Docker's config.json for the run (logins). */
  config?: (w: Fixture) => unknown;
  env?: Record<string, string>;
  setup?: (w: Fixture) => void;
  /** Resolves when the run is to be interrupted (as by Ctrl-C). */
  interrupt?: (w: Fixture) => Promise<void>;
  check?: (t: ExecutionContext, w: Fixture) => void;
}

const login = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });
const oneLine = (message: string) => (): Expect => `docker-jindr: ${message}\n`;
const lsiHeader = ['REPOSITORY', 'TAG', 'IMAGE ID', 'PLATFORMS', 'CREATED', 'SIZE', 'REFERRERS'];
/** The fixtures' configs say 2024-01-01: docker's wording of how long ago that is. */
const created = /^\d+ (months|years) ago$/;
const createdAt = '2024-01-01T00:00:00.000Z';
const lsiApp = (w: Fixture, tag: string) => [
  `${w.src}/app`,
  tag,
  id(app.digest),
  'linux/amd64,linux/arm64',
  created,
  bytes(size(amd64, arm64)),
  '',
];
const inspectApp = (w: Fixture, tag: string) => [
  ['IMAGE', 'TAG', 'PLATFORM', 'DIGEST'],
  [`${w.src}/app`, tag, '(index)', app.digest],
  ['', '', 'linux/amd64', amd64.digest],
  ['', '', 'linux/arm64', arm64.digest],
];
const blobsLine = (copied: number, sent: number, mounted: number, there: number) =>
  new RegExp(`\\nblobs: ${copied} copied \\(${bytes(sent)}\\), ${mounted} mounted, ${there} already there\\n$`);
const tagsOf = (fake: OciRegistry, repository: string) => fake.store.tags(repository);

const rows: Record<string, Row> = {
  // ---- ls --------------------------------------------------------------------------------
  'ls: every repository': {
    argv: (w) => ['-r', w.src, 'ls'],
    code: 0,
    stdout: (w) => ({ table: [['REPOSITORY'], [`${w.src}/app`], [`${w.src}/legacy`], [`${w.src}/team/api`], [`${w.src}/tools`]] }),
  },
  'repos -q: names only': {
    argv: (w) => ['--registry', w.src, 'repos', '-q'],
    code: 0,
    stdout: (w) => ['app', 'legacy', 'team/api', 'tools'].map((r) => `${w.src}/${r}\n`).join(''),
  },
  'ls --format json': {
    argv: (w) => ['--format', 'json', '-r', w.src, 'ls'],
    code: 0,
    stdout: (w) => ({ jsonLines: ['app', 'legacy', 'team/api', 'tools'].map((repository) => ({ registry: w.src, repository })) }),
  },
  'ls: a registry without a catalog': {
    argv: (w) => ['-r', w.src, 'ls'],
    code: 1,
    src: { catalog: false },
    stderr: (w) => `docker-jindr: ${w.src} does not list its repositories (no /v2/_catalog): name the repositories instead\n`,
  },
  'ls: nothing listening': {
    argv: (w) => ['-r', w.closed, 'ls'],
    code: 1,
    stderr: (w) => `docker-jindr: no registry answers on ${w.closed} (start one with: docker jindr -r ${w.closed} start)\n`,
  },
  'ls: a registry answering 500': {
    argv: (w) => ['-r', w.src, 'ls'],
    code: 1,
    setup: (w) => void w.srcFake.faults.add({ status: 500, code: 'UNKNOWN' }),
    stderr: (w) => `docker-jindr: ${w.src} answered 500 (internal server error) to GET /v2/_catalog: UNKNOWN: unknown\n`,
    check: (t, w) => t.is(w.srcFake.log.filter((r) => r.path === '/v2/_catalog').length, 4, 'a read is tried again three times'),
  },
  'ls: a registry that never answers, JINDR_TIMEOUT_MS=300': {
    argv: (w) => ['-r', w.src, 'ls'],
    code: 1,
    env: { JINDR_TIMEOUT_MS: '300' },
    setup: (w) => void w.srcFake.faults.add({ stall: true }),
    stderr: (w) => `docker-jindr: ${w.src} did not answer within 0.3 s (JINDR_TIMEOUT_MS=<milliseconds> waits longer)\n`,
  },
  'ls: JINDR_TIMEOUT_MS that is not a number': {
    argv: (w) => ['-r', w.src, 'ls'],
    code: 2,
    env: { JINDR_TIMEOUT_MS: 'soon' },
    stderr: oneLine('JINDR_TIMEOUT_MS must be a whole number of milliseconds, 1 or more (got "soon")'),
    check: (t, w) => t.deepEqual(w.srcFake.log, [], 'refused before any request'),
  },
  'ls: Basic auth without a login names docker login': {
    argv: (w) => ['-r', w.src, 'ls'],
    code: 1,
    src: { auth: { basic: { users: { alice: 'pw' } } } },
    stderr: (w) => `docker-jindr: ${w.src} refused the request (401); log in first: docker login ${w.src}\n`,
  },
  'ls: Basic auth with the login in config.json': {
    argv: (w) => ['-r', w.src, 'ls', '-q'],
    code: 0,
    src: { auth: { basic: { users: { alice: 'pw' } } } },
    config: (w) => ({ auths: { [w.src]: login('alice', 'pw') } }),
    stdout: (w) => ['app', 'legacy', 'team/api', 'tools'].map((r) => `${w.src}/${r}\n`).join(''),
  },
  'ls --debug: a stack trace and debug lines': {
    argv: (w) => ['-r', w.closed, 'ls', '--debug'],
    code: 1,
    stderr: (w) => new RegExp(`^RegistryError: no registry answers on ${w.closed.replace(/\./g, '\\.')} .*\\n\\s+at `),
  },
  // ---- lsi -------------------------------------------------------------------------------
  'lsi: every tag, an index counted once per distinct blob': {
    argv: (w) => ['-r', w.src, 'lsi'],
    code: 0,
    stdout: (w) => ({
      table: [
        lsiHeader,
        lsiApp(w, 'latest'),
        lsiApp(w, 'v1'),
        [`${w.src}/legacy`, 'v1', id(legacy.digest), 'linux/amd64,linux/arm64', created, bytes(size(...legacy.manifests)), ''],
        [`${w.src}/team/api`, '1.0', id(amd64.digest), 'linux/amd64', created, bytes(size(amd64)), ''],
        [`${w.src}/tools`, 'dev', id(tools.digest), 'linux/amd64', created, bytes(size(tools)), ''],
      ],
    }),
  },
  'images -q app tools: named repositories only': {
    argv: (w) => ['-r', w.src, 'images', '-q', 'app', 'tools'],
    code: 0,
    stdout: (w) => `${w.src}/app:latest\n${w.src}/app:v1\n${w.src}/tools:dev\n`,
  },
  'lsi --format json': {
    argv: (w) => ['-r', w.src, '--format', 'json', 'lsi', 'tools', 'legacy'],
    code: 0,
    stdout: (w) => ({
      jsonLines: [
        {
          registry: w.src,
          repository: 'tools',
          tag: 'dev',
          digest: tools.digest,
          mediaType: tools.mediaType,
          kind: 'image',
          platforms: ['linux/amd64'],
          size: size(tools),
          created: createdAt,
        },
        {
          registry: w.src,
          repository: 'legacy',
          tag: 'v1',
          digest: legacy.digest,
          mediaType: legacy.mediaType,
          kind: 'index',
          platforms: ['linux/amd64', 'linux/arm64'],
          size: size(...legacy.manifests),
          created: createdAt,
        },
      ],
    }),
  },
  'lsi: a repository that is not there': {
    argv: (w) => ['-r', w.src, 'lsi', 'nosuch'],
    code: 1,
    stderr: (w) => `docker-jindr: no repository ${w.src}/nosuch\n`,
  },
  // ---- inspect ---------------------------------------------------------------------------
  'inspect: the index and a row per platform': {
    argv: (w) => ['-r', w.src, 'inspect', 'app:v1'],
    code: 0,
    stdout: (w) => ({ table: inspectApp(w, 'v1') }),
  },
  'ins: the tag defaults to latest': {
    argv: (w) => ['-r', w.src, 'ins', 'app'],
    code: 0,
    stdout: (w) => ({ table: inspectApp(w, 'latest') }),
  },
  'inspect --layers: sizes, and how many other tags share each layer': {
    argv: (w) => ['-r', w.src, 'inspect', '--layers', 'app:v1'],
    code: 0,
    stdout: (w) => ({
      table: [
        ['IMAGE', 'TAG', 'PLATFORM', 'DIGEST', 'SIZE', 'SHARED WITH'],
        [`${w.src}/app`, 'v1', '(index)', app.digest, bytes(size(amd64, arm64)), ''],
        ['', '', 'linux/amd64', amd64.digest, bytes(size(amd64)), ''],
        ['', '', 'layer 1', amd64.layers[0]!.digest, bytes(amd64.layers[0]!.size), '2'], // app:latest, team/api:1.0
        ['', '', 'linux/arm64', arm64.digest, bytes(size(arm64)), ''],
        ['', '', 'layer 1', arm64.layers[0]!.digest, bytes(arm64.layers[0]!.size), '1'], // app:latest
      ],
    }),
  },
  'inspect --format json: a Docker manifest list': {
    argv: (w) => ['-r', w.src, '--format', 'json', 'inspect', 'legacy:v1'],
    code: 0,
    stdout: (w) => ({
      jsonLines: [
        {
          image: `${w.src}/legacy`,
          tag: 'v1',
          digest: legacy.digest,
          mediaType: legacy.mediaType,
          kind: 'index',
          size: size(...legacy.manifests),
          platforms: legacy.manifests.map((m) => ({
            platform: `linux/${m.platform.architecture}`,
            kind: 'image',
            digest: m.digest,
            mediaType: m.mediaType,
            size: size(m),
          })),
        },
      ],
    }),
  },
  'inspect REPO@DIGEST and a single-platform image': {
    argv: (w) => ['-r', w.src, 'inspect', `app@${arm64.digest}`, 'team/api:1.0'],
    code: 0,
    stdout: (w) => ({
      table: [
        ['IMAGE', 'TAG', 'PLATFORM', 'DIGEST'],
        [`${w.src}/app`, '', 'linux/arm64', arm64.digest],
        [`${w.src}/team/api`, '1.0', 'linux/amd64', amd64.digest],
      ],
    }),
  },
  'inspect: a tag that is not there': {
    argv: (w) => ['-r', w.src, 'inspect', 'app:nope'],
    code: 1,
    stderr: (w) => `docker-jindr: no image ${w.src}/app:nope\n`,
  },
  'inspect: two images not there: the first given is named, though the second is answered first': {
    argv: (w) => ['-r', w.src, 'inspect', 'app:nope', 'team/api:nope'],
    code: 1,
    setup: (w) => w.srcFake.faults.add({ path: '/v2/app/manifests/nope', delayMs: 300 }),
    stderr: (w) => `docker-jindr: no image ${w.src}/app:nope\n`,
  },
  'inspect: a reference naming another registry asks that one': {
    argv: (w) => ['-r', w.src, 'inspect', `${w.dst}/app:v1`],
    code: 1,
    stderr: (w) => `docker-jindr: no repository ${w.dst}/app\n`,
    check: (t, w) => t.deepEqual(w.srcFake.log, []),
  },
  // ---- rmi -------------------------------------------------------------------------------
  'rmi on registry 2.x: a tag sharing its digest is refused, nothing deleted': {
    argv: (w) => ['-r', w.src, 'rmi', 'app:v1'],
    code: 1,
    src: { deleteTags: false },
    stderr: (w) =>
      `docker-jindr: refusing to delete (use --force to delete anyway): ${w.src}/app@${app.digest.slice(0, 19)}...: app:latest points at the same digest and would be deleted too\n`,
    check: (t, w) => {
      t.deepEqual(tagsOf(w.srcFake, 'app'), ['latest', 'v1']);
      // 2.x cannot delete a tag (400), and the digest is not deleted.
      t.deepEqual(
        w.srcFake.log.filter((r) => r.method === 'DELETE').map((r) => `${r.path} ${r.status}`),
        ['/v2/app/manifests/v1 400'],
      );
    },
  },
  'rmi --force on registry 2.x: the digest goes, with every tag on it': {
    argv: (w) => ['-r', w.src, 'rmi', '--force', 'app:v1'],
    code: 0,
    src: { deleteTags: false },
    stdout: (w) => `Untagged: ${w.src}/app:v1\nUntagged: ${w.src}/app:latest\nDeleted: ${w.src}/app@${app.digest}\n`,
    check: (t, w) => {
      t.deepEqual(tagsOf(w.srcFake, 'app'), []);
      t.deepEqual(tagsOf(w.srcFake, 'team/api'), ['1.0']);
    },
  },
  'delimage on registry 3.x: only the tag goes': {
    argv: (w) => ['-r', w.src, 'delimage', 'app:v1'],
    code: 0,
    stdout: (w) => `Untagged: ${w.src}/app:v1\n`,
    check: (t, w) => t.deepEqual(tagsOf(w.srcFake, 'app'), ['latest']),
  },
  'rmi --format json': {
    argv: (w) => ['-r', w.src, '--format', 'json', 'rmi', 'tools:dev'],
    code: 0,
    stdout: (w) => ({
      jsonLines: [{ registry: w.src, repository: 'tools', tag: 'dev', digest: tools.digest, action: 'untagged', alsoRemovedTags: [] }],
    }),
  },
  'rmi: a registry with deletes disabled': {
    argv: (w) => ['-r', w.src, 'rmi', 'tools:dev'],
    code: 1,
    src: { deletes: false },
    stderr: () => /^docker-jindr: .*does not allow deleting \(storage\.delete\.enabled is off.*\n$/,
    check: (t, w) => t.deepEqual(tagsOf(w.srcFake, 'tools'), ['dev']),
  },
  // ---- cp --------------------------------------------------------------------------------
  'cp: an index to another registry, every platform, digests unchanged': {
    argv: (w) => ['-r', w.src, 'cp', 'app:v1', w.dst],
    code: 0,
    stdout: (w) => ({
      table: [
        ['SOURCE', 'DESTINATION', 'DIGEST'],
        [`${w.src}/app:v1`, `${w.dst}/app:v1`, app.digest],
      ],
    }),
    stderr: () => blobsLine(4, size(amd64, arm64), 0, 0),
    check: (t, w) => {
      for (const m of [app, amd64, arm64]) t.true(w.dstFake.store.manifest('app', m.digest)?.bytes.equals(m.bytes), m.digest);
      t.is(w.dstFake.store.manifest('app', 'v1')?.digest, app.digest);
      t.is(w.dstFake.store.manifest('app', 'v1')?.mediaType, app.mediaType);
    },
  },
  'cp -q: more tags, the destinations printed': {
    argv: (w) => ['-r', w.src, 'cp', '-q', 'app', w.dst, 'v1'],
    code: 0,
    stdout: (w) => `${w.dst}/app:latest\n${w.dst}/app:v1\n`,
    check: (t, w) => t.deepEqual(tagsOf(w.dstFake, 'app'), ['latest', 'v1']),
  },
  'cp -q: an index the destination holds costs one read of the source and one question to the destination': {
    argv: (w) => ['cp', '-q', `${w.src}/app:v1`, w.dst],
    code: 0,
    setup: (w) => void w.dstFake.store.pushIndex('app', 'v1', app),
    stdout: (w) => `${w.dst}/app:v1\n`,
    check: (t, w) => {
      t.deepEqual(
        w.srcFake.requests().filter((l) => l.includes('/manifests/')),
        ['GET /v2/app/manifests/v1'],
      );
      t.deepEqual(
        w.dstFake.requests().filter((l) => l.includes('/manifests/')),
        ['HEAD /v2/app/manifests/v1'],
      );
    },
  },
  'cp: an index the destination holds, its blobs counted as already there': {
    argv: (w) => ['-r', w.src, 'cp', 'app:v1', w.dst],
    code: 0,
    setup: (w) => void w.dstFake.store.pushIndex('app', 'v1', app),
    stdout: (w) => ({
      table: [
        ['SOURCE', 'DESTINATION', 'DIGEST'],
        [`${w.src}/app:v1`, `${w.dst}/app:v1`, app.digest],
      ],
    }),
    stderr: () => blobsLine(0, 0, 0, 4),
    check: (t, w) => t.false(w.dstFake.requests().some((l) => l.startsWith('PUT '))),
  },
  'cp --to: a Docker manifest list under another name, with a Bearer login': {
    argv: (w) => ['-r', w.src, 'cp', '-q', 'legacy:v1', '--to', `${w.dst}/mirror/legacy:prod`],
    code: 0,
    dst: { auth: { bearer: { users: { bob: 'pw' } } } },
    config: (w) => ({ auths: { [w.dst]: login('bob', 'pw') } }),
    stdout: (w) => `${w.dst}/mirror/legacy:prod\n`,
    check: (t, w) => {
      t.is(w.dstFake.store.manifest('mirror/legacy', 'prod')?.digest, legacy.digest);
      t.true(w.dstFake.tokenRequests.length > 0);
      t.deepEqual(new Set(w.dstFake.tokenRequests.map((r) => r.subject)), new Set(['bob']));
    },
  },
  'cp within one registry: blobs are mounted, not copied': {
    argv: (w) => ['-r', w.src, 'cp', 'app:v1', '--to', `${w.src}/copy:v1`],
    code: 0,
    stdout: (w) => ({
      table: [
        ['SOURCE', 'DESTINATION', 'DIGEST'],
        [`${w.src}/app:v1`, `${w.src}/copy:v1`, app.digest],
      ],
    }),
    stderr: () => blobsLine(0, 0, 4, 0),
    check: (t, w) => t.false(w.srcFake.log.some((r) => r.method === 'PATCH' || (r.method === 'PUT' && r.path.includes('/blobs/')))),
  },
  'cp: a tag that is not there, nothing copied': {
    argv: (w) => ['-r', w.src, 'cp', 'app:v1', w.dst, 'nope'],
    code: 1,
    stderr: (w) => `docker-jindr: no image ${w.src}/app:nope: nothing was copied\n`,
    // The destination is asked about each tag (HEAD) while the source answers (copy.ts): nothing is written there.
    check: (t, w) =>
      t.deepEqual(
        w.dstFake.log.filter((r) => r.method !== 'HEAD'),
        [],
      ),
  },
  'cp: a destination refusing the login': {
    argv: (w) => ['-r', w.src, 'cp', '-q', 'tools:dev', w.dst],
    code: 1,
    dst: { auth: { basic: { users: { bob: 'pw' } } } },
    config: (w) => ({ auths: { [w.dst]: login('bob', 'WRONG') } }),
    stderr: (w) => `docker-jindr: ${w.dst} refused the request (401); check your credentials: docker login ${w.dst}\n`,
    check: (t, w) => t.is(w.dstFake.store.repository('tools'), undefined),
  },
  'cp --jobs 0': {
    argv: (w) => ['-r', w.src, 'cp', 'app', w.dst, '--jobs', '0'],
    code: 2,
    stderr: oneLine('--jobs must be a whole number from 1 to 32'),
  },
  'push: a remote that is not ssh://, before any request': {
    argv: (w) => ['-r', w.src, 'push', 'tcp://web1:2375', 'app:v1'],
    code: 2,
    stderr: oneLine('invalid ssh Docker host "tcp://web1:2375": use ssh://[USER@]HOST[:PORT]'),
    check: (t, w) => t.deepEqual(w.srcFake.log, []),
  },
  'push: a digest without a tag names nothing on the host': {
    argv: (w) => ['-r', w.src, 'push', 'ssh://web1', `app@${app.digest}`],
    code: 2,
    stderr: () => `docker-jindr: "app@${app.digest}" has no tag: give IMAGE:TAG, the name the image gets on the host\n`,
    check: (t, w) => t.deepEqual(w.srcFake.log, []),
  },
  'push --jobs 0': {
    argv: (w) => ['-r', w.src, 'push', 'ssh://web1', 'app:v1', '--jobs', '0'],
    code: 2,
    stderr: oneLine('--jobs must be a whole number from 1 to 32'),
  },
  // ---- cp --all-tags / --tags ---------------------------------------------------------------
  'cp --all-tags -q: every tag of app; the second, at the same digest, is a tag write only': {
    argv: (w) => ['-r', w.src, 'cp', '-q', 'app', w.dst, '--all-tags'],
    code: 0,
    stdout: (w) => `${w.dst}/app:latest\n${w.dst}/app:v1\n`,
    check: (t, w) => {
      t.deepEqual(tagsOf(w.dstFake, 'app'), ['latest', 'v1']);
      t.is(w.dstFake.store.manifest('app', 'v1')?.digest, app.digest);
      // Each of the index's four blobs sent once (an upload is committed by one PUT).
      t.is(w.dstFake.log.filter((r) => r.method === 'PUT' && r.path.includes('/blobs/')).length, 4);
    },
  },
  'cp --all-tags: a tag the destination has at the same digest costs one HEAD there and nothing else': {
    argv: (w) => ['-r', w.src, 'cp', '-q', 'app', w.dst, '--all-tags'],
    code: 0,
    setup: (w) => {
      w.dstFake.store.pushIndex('app', 'v1', app);
      w.dstFake.store.putManifest('app', 'latest', app.bytes, app.mediaType);
    },
    stdout: (w) => `${w.dst}/app:latest\n${w.dst}/app:v1\n`,
    check: (t, w) => {
      t.deepEqual(w.dstFake.requests().sort(), ['HEAD /v2/app/manifests/latest', 'HEAD /v2/app/manifests/v1']);
      t.deepEqual(w.srcFake.requests().sort(), [
        'GET /v2/app/tags/list?n=1000',
        'HEAD /v2/app/manifests/latest',
        'HEAD /v2/app/manifests/v1',
      ]);
    },
  },
  'cp --tags --dry-run --format json: one object per tag, nothing written': {
    argv: (w) => ['-r', w.src, 'cp', 'app', w.dst, '--tags', 'v\\d+', '--dry-run', '--format', 'json'],
    code: 0,
    stdout: (w) => ({
      jsonLines: [
        {
          tag: 'v1',
          status: 'would copy',
          digest: app.digest,
          bytes: size(amd64, arm64),
          source: `${w.src}/app:v1`,
          destination: `${w.dst}/app:v1`,
        },
      ],
    }),
    stderr: () => /dry run: 1 tags to copy \(.+ to send\), 0 present; nothing was copied\n$/,
    check: (t, w) =>
      t.deepEqual(
        w.dstFake.log.filter((r) => r.method !== 'GET' && r.method !== 'HEAD'),
        [],
      ),
  },
  'cp --all-tags: a tag deleted at the source after the listing is reported gone, the others copied': {
    argv: (w) => ['-r', w.src, 'cp', 'app', w.dst, '--all-tags', '--format', '{{.Tag}} {{.Status}}'],
    code: 0,
    setup: (w) => void w.srcFake.faults.add({ method: 'HEAD', path: '/manifests/latest', status: 404, code: 'MANIFEST_UNKNOWN' }),
    stdout: () => 'latest gone\nv1 copied\n',
    stderr: () => /\ntags: 1 copied, 0 present, 1 gone from the source meanwhile; blobs: 4 copied/,
    check: (t, w) => t.deepEqual(tagsOf(w.dstFake, 'app'), ['v1']),
  },
  'cp --tags matching nothing: an error, nothing copied': {
    argv: (w) => ['-r', w.src, 'cp', 'app', w.dst, '--tags', 'v'],
    code: 1,
    stderr: (w) => `docker-jindr: ${w.src}/app has no tag matching ^(?:v)$ (of 2): nothing to copy\n`,
    check: (t, w) => t.deepEqual(w.dstFake.log, []),
  },
  'cp --dry-run without --all-tags or --tags': {
    argv: (w) => ['-r', w.src, 'cp', 'app', w.dst, '--dry-run'],
    code: 2,
    stderr: oneLine('--dry-run goes with --all-tags or --tags REGEX (a copy of named tags has no dry run)'),
  },
  'cp interrupted while a blob uploads: exit 130, its upload sessions cancelled at the destination': {
    argv: (w) => ['-r', w.src, 'cp', 'app:v1', w.dst],
    code: 130,
    dst: { uploadState: true },
    // The blobs done before Ctrl-C, and nothing about the interruption.
    stderr: () => /^([0-9a-f]{12}: copied \(\d+B\)\n)*$/,
    setup: (w) => void w.srcFake.faults.add({ method: 'GET', path: amd64.layers[0]!.digest, cut: 10, stall: true }),
    // Every blob's PATCH has started: the stalled layer's is under way.
    interrupt: async (w) => {
      let patches = 0;
      await w.dstFake.arrived((r) => r.method === 'PATCH' && ++patches === 4);
    },
    check: (t, w) => {
      t.is(w.dstFake.store.uploads.size, 0, 'no upload session left');
      t.true(w.dstFake.log.some((r) => r.method === 'DELETE' && r.path.includes('/blobs/uploads/') && r.status === 204));
      t.deepEqual(tagsOf(w.dstFake, 'app'), []);
    },
  },
  // ---- index -----------------------------------------------------------------------------
  'index create over an existing tag: refused, pointing to index add and --force, nothing written': {
    argv: (w) => ['-r', w.src, 'index', 'create', 'app:v1', `app@${amd64.digest}`],
    code: 1,
    stderr: (w) =>
      `docker-jindr: ${w.src}/app:v1 already exists (an index of linux/amd64, linux/arm64, ${app.digest}): add platforms to it with docker jindr index add ${w.src}/app:v1 SOURCE..., or replace it with --force\n`,
    check: (t, w) => {
      t.is(w.srcFake.store.manifest('app', 'v1')?.digest, app.digest);
      t.false(w.srcFake.log.some((r) => r.method === 'PUT'));
    },
  },
  'index create --force over an existing tag: replaced, the old digest named': {
    argv: (w) => ['-r', w.src, 'index', 'create', '--force', 'app:v1', `app@${amd64.digest}`],
    code: 0,
    stdout: () => ({
      table: [
        ['PLATFORM', 'DIGEST', 'SOURCE'],
        ['linux/amd64', amd64.digest, /app@sha256:/],
      ],
    }),
    stderr: (w) => new RegExp(`^Created ${w.src}/app:v1: sha256:[0-9a-f]{64} \\(OCI index, replacing ${app.digest}\\)\n$`),
    check: (t, w) => t.not(w.srcFake.store.manifest('app', 'v1')?.digest, app.digest),
  },
  'index create --force --format json: the replaced digest in the result': {
    argv: (w) => ['-r', w.src, '--format', 'json', 'index', 'create', '-f', 'app:v1', `app@${amd64.digest}`],
    code: 0,
    stdout: () => /"replaced":"sha256:[0-9a-f]{64}"/,
    check: (t, w) => t.not(w.srcFake.store.manifest('app', 'v1')?.digest, app.digest),
  },
  'index create of a new tag: no --force needed, nothing replaced': {
    argv: (w) => ['-r', w.src, 'index', 'create', 'app:multi', `app@${amd64.digest}`, `app@${arm64.digest}`],
    code: 0,
    stdout: () => /linux\/amd64/,
    stderr: () => /^Created .*\(OCI index\)\n$/,
  },
  'index add --force: not an option of add': {
    argv: (w) => ['-r', w.src, 'index', 'add', '--force', 'app:v1', `app@${amd64.digest}`],
    code: 2,
    stderr: () => /^docker-jindr: .*force/,
  },
  // ---- the world main() is given (test/helpers/in-process.ts) ------------------------------
  'interrupted while a registry keeps it waiting: exit 130, nothing printed': {
    argv: (w) => ['-r', w.src, 'lsi'],
    code: 130,
    setup: (w) => void w.srcFake.faults.add({ path: '/tags/list', stall: true }),
    interrupt: async (w) => void (await w.srcFake.arrived((r) => r.path.endsWith('/tags/list'))),
  },
  'a command that needs the engine gets the one the world gives': {
    argv: () => ['stat'],
    code: 1,
    stderr: oneLine('in-process tests have no Docker engine: test this command end to end (test/e2e)'),
  },
  // ---- usage -----------------------------------------------------------------------------
  'an unknown command, with a suggestion': {
    argv: () => ['lsx'],
    code: 2,
    stderr: (): Expect =>
      `docker-jindr: unknown command: docker-jindr lsx (did you mean "ls"?)\n\nUsage:  docker-jindr [OPTIONS] COMMAND\n\nRun 'docker-jindr --help' for more information\n`,
  },
  'a missing argument': {
    argv: () => ['inspect'],
    code: 2,
    stderr: (): Expect =>
      `docker-jindr: 'docker-jindr inspect' requires at least 1 argument\n\nUsage:  docker-jindr inspect [OPTIONS] IMAGE [IMAGE...]\n\nSee 'docker-jindr inspect --help' for more information\n`,
  },
  'an unknown option': {
    argv: () => ['ls', '--bogus'],
    code: 2,
    stderr: (): Expect =>
      `docker-jindr: unknown flag: --bogus\n\nUsage:  docker-jindr ls [OPTIONS]\n\nRun 'docker-jindr ls --help' for more information\n`,
  },
  'a --format template naming a field the command does not have': {
    argv: (w) => ['-r', w.src, '--format', '{{.Bogus}}', 'lsi'],
    code: 2,
    stderr: oneLine(
      "--format: unknown field .Bogus for 'docker-jindr lsi': use .Repository .Tag .ID .Platforms .Created .Size .Referrers .Digest .CreatedAt .PushedAt",
    ),
    check: (t, w) => t.deepEqual(w.srcFake.log, []),
  },
  "mirror start --format: a template over mirror ls's fields is refused, naming start's own": {
    argv: () => ['mirror', 'start', '--format', '{{.Name}} {{.Size}}'],
    code: 2,
    stderr: oneLine(
      "--format: unknown field .Size for 'docker-jindr mirror start': use .Name .Upstream .Address .Container .Port .Image .Data .Network .Outcome .EngineMirror .Mode",
    ),
  },
  'mirror rm --format with a field of mirror stop': {
    argv: () => ['--format', '{{.Outcome}}', 'mirror', 'rm', 'ghcr.io'],
    code: 2,
    stderr: oneLine(
      "--format: unknown field .Outcome for 'docker-jindr mirror rm': use .Name .Upstream .Address .Container .Data .DataRemoved .EngineMirror",
    ),
  },
  'mirror config --format with a field it lacks': {
    argv: () => ['mirror', 'config', '--format', 'table {{.Port}}'],
    code: 2,
    stderr: oneLine(
      "--format: unknown field .Port for 'docker-jindr mirror config': use .Name .Upstream .Address .Container .Network .ContainerdFile .Containerd .NodeContainerd .K3d .PodmanFile .Podman",
    ),
  },
  'mirror ls --format with a field of mirror stop': {
    argv: () => ['mirror', 'ls', '--format', '{{.Outcome}}'],
    code: 2,
    stderr: oneLine(
      "--format: unknown field .Outcome for 'docker-jindr mirror ls': use .Name .Upstream .Address .Status .Mode .Size .Images .Hits .Misses .Saved",
    ),
  },
  'mirror stop --format with its own field passes the check and goes on to the engine': {
    argv: () => ['mirror', 'stop', '--format', '{{.Container}} {{.Outcome}}'],
    code: 1,
    stderr: oneLine('in-process tests have no Docker engine: test this command end to end (test/e2e)'),
  },
  'an image reference that is not one': {
    argv: (w) => ['-r', w.src, 'inspect', 'App:v1'],
    code: 2,
    stderr: oneLine('invalid image reference "App:v1": repository names must be lower-case'),
    check: (t, w) => t.deepEqual(w.srcFake.log, []),
  },
  'a -r that is a URL': {
    argv: () => ['-r', 'http://registry.example', 'ls'],
    code: 2,
    stderr: oneLine('-r/--registry needs HOST or HOST:PORT, without a scheme or path (got "http://registry.example")'),
  },
  'an empty -r': {
    argv: () => ['-r', '', 'lsi'],
    code: 2,
    stderr: oneLine('-r/--registry needs HOST or HOST:PORT, e.g. localhost:5001 (got "")'),
  },
  'a -r port over 65535': {
    argv: () => ['inspect', '-r', 'localhost:99999', 'app'],
    code: 2,
    stderr: oneLine('-r/--registry needs a port from 1 to 65535 after the colon, e.g. localhost:5001 (got "localhost:99999")'),
  },
  'help COMMAND': {
    argv: () => ['help', 'ls'],
    code: 0,
    stdout: () => /^Usage:  docker-jindr ls \[OPTIONS\]\n\nList the repositories in the registry\n[\s\S]*-q, --quiet/,
  },
  '-v': { argv: () => ['-v'], code: 0, stdout: () => `${pkg.version}\n` },
  'the plugin metadata': {
    argv: () => ['docker-cli-plugin-metadata'],
    code: 0,
    stdout: () => ({ json: { ...metadata, Version: pkg.version } }),
  },
};

async function setup(t: ExecutionContext, row: Row): Promise<{ fixture: Fixture; env: NodeJS.ProcessEnv }> {
  const [srcFake, dstFake, closed] = await Promise.all([startOciRegistry(row.src), startOciRegistry(row.dst), closedHost()]);
  t.teardown(srcFake.close);
  t.teardown(dstFake.close);
  srcFake.store.pushIndex('app', 'v1', app);
  srcFake.store.putManifest('app', 'latest', app.bytes, app.mediaType);
  srcFake.store.pushImage('team/api', '1.0', amd64);
  srcFake.store.pushImage('tools', 'dev', tools);
  srcFake.store.pushIndex('legacy', 'v1', legacy);
  const fixture: Fixture = { src: srcFake.host, dst: dstFake.host, closed, srcFake, dstFake };
  const config = dockerConfigEnv(row.config?.(fixture) ?? {});
  t.teardown(config.cleanup);
  row.setup?.(fixture);
  return { fixture, env: { ...config.env, ...row.env } };
}

function expect(t: ExecutionContext, actual: string, expected: Expect, what: string): void {
  if (typeof expected === 'string') t.is(actual, expected, what);
  else if (expected instanceof RegExp) t.regex(actual, expected, what);
  else if ('table' in expected) {
    const cells = tableCells(actual);
    const wanted = expected.table.map((line, i) =>
      line.map((cell, j) => (cell instanceof RegExp && cell.test(cells[i]?.[j] ?? '') ? cells[i]![j]! : cell)),
    );
    t.deepEqual(cells, wanted, `${what}:\n${actual}`);
  } else if ('jsonLines' in expected) {
    t.true(actual === '' || actual.endsWith('\n'), `${what} ends with a newline`);
    t.deepEqual(
      actual
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as unknown),
      expected.jsonLines,
      what,
    );
  } else t.deepEqual(JSON.parse(actual), expected.json, what);
}

for (const [name, row] of Object.entries(rows)) {
  test(name, async (t) => {
    const { fixture, env } = await setup(t, row);
    const controller = new AbortController();
    void row.interrupt?.(fixture).then(() => controller.abort());
    const result = await jindrInProcess(row.argv(fixture), { env, signal: controller.signal });
    t.is(result.code, row.code, result.stderr);
    expect(t, result.stdout, row.stdout?.(fixture) ?? '', 'stdout');
    expect(t, result.stderr, row.stderr?.(fixture) ?? '', 'stderr');
    row.check?.(t, fixture);
  });
}
