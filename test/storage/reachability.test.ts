import test from 'ava';
import {
  planRepository,
  predictBlobRemoval,
  reachableManifests,
  readManifest,
  type ManifestContent,
  type RepositoryState,
} from '../../src/storage/reachability.ts';

// Small graphs: manifests are written as JSON of the real formats, with short fake digests.
const d = (name: string): string => `sha256:${name}`;
const desc = (name: string, mediaType = 'application/vnd.oci.image.manifest.v1+json') => ({ mediaType, digest: d(name), size: 1 });

const image = (config: string, layers: string[], subject?: string) => ({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: desc(config, 'application/vnd.oci.image.config.v1+json'),
  layers: layers.map((l) => desc(l, 'application/vnd.oci.image.layer.v1.tar+gzip')),
  ...(subject ? { subject: desc(subject) } : {}),
});
const index = (children: string[], subject?: string) => ({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: children.map((c) => ({ ...desc(c), platform: { os: 'linux', architecture: 'amd64' } })),
  ...(subject ? { subject: desc(subject) } : {}),
});
const dockerList = (children: string[]) => ({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
  manifests: children.map((c) => desc(c, 'application/vnd.docker.distribution.manifest.v2+json')),
});

type Store = Record<string, object | string | null>;

function contentOf(store: Store): (digest: string) => ManifestContent {
  return (digest) => {
    const value = store[digest.replace(/^sha256:/, '')];
    if (value === undefined || value === null) return readManifest(undefined);
    return readManifest(new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)));
  };
}

function repo(tags: Record<string, string>, manifests: string[]): RepositoryState {
  return { name: 'r', tags: new Map(Object.entries(tags).map(([t, m]) => [t, d(m)])), manifests: manifests.map(d) };
}

const names = (digests: Iterable<string>): string[] => [...digests].map((x) => x.replace(/^sha256:/, '')).sort();

interface Case {
  title: string;
  tags: Record<string, string>;
  store: Store;
  /** revision links; defaults to every key of store */
  manifests?: string[];
  remove: string[];
  removeRepository?: boolean;
  warns?: boolean;
}

const cases: Case[] = [
  {
    title: 'a tagged OCI index keeps both per-platform children; an untagged leftover goes',
    tags: { latest: 'idx' },
    store: { idx: index(['amd', 'arm']), amd: image('c1', ['l1']), arm: image('c2', ['l2']), old: image('c3', ['l3']) },
    remove: ['old'],
  },
  {
    title: 'a Docker manifest list keeps its children',
    tags: { v1: 'list' },
    store: { list: dockerList(['a', 'b']), a: image('c', ['l']), b: image('c', ['l']) },
    remove: [],
  },
  {
    title: 'nested indexes are followed to the bottom',
    tags: { t: 'top' },
    store: { top: index(['mid']), mid: index(['leaf']), leaf: image('c', ['l']), stray: index(['leaf']) },
    remove: ['stray'],
  },
  {
    title: 'a referrer of a child survives, and a referrer of that referrer too',
    tags: { t: 'idx' },
    store: { idx: index(['amd']), amd: image('c', ['l']), sig: image('sc', ['sl'], 'amd'), sigsig: image('x', ['y'], 'sig') },
    remove: [],
  },
  {
    title: 'a referrer of the index survives (an index as referrer too)',
    tags: { t: 'idx' },
    store: { idx: index(['amd']), amd: image('c', ['l']), att: index(['attm'], 'idx'), attm: image('ac', ['al']) },
    remove: [],
  },
  {
    title: 'a referrer of an unreachable manifest goes with it',
    tags: { t: 'kept' },
    store: { kept: image('c', ['l']), gone: image('c2', ['l2']), sig: image('sc', ['sl'], 'gone') },
    remove: ['gone', 'sig'],
  },
  {
    title: 'a tagged referrer keeps its untagged subject',
    tags: { 'sha256-abc.sig': 'sig' },
    store: { subj: image('c', ['l']), sig: image('sc', ['sl'], 'subj') },
    remove: [],
  },
  {
    title: 'the children of an untagged index go with it',
    tags: { t: 'kept' },
    store: { kept: image('c', ['l']), oldidx: index(['o1', 'o2']), o1: image('c', ['l']), o2: image('c2', ['l2']) },
    remove: ['o1', 'o2', 'oldidx'],
  },
  {
    title: 'a child shared by a tagged and an untagged index stays',
    tags: { t: 'new' },
    store: {
      new: index(['shared', 'n']),
      old: index(['shared', 'o']),
      shared: image('c', ['l']),
      n: image('c', ['l']),
      o: image('c', ['l']),
    },
    remove: ['o', 'old'],
  },
  {
    title: 'no tags: every manifest goes, and the repository with them',
    tags: {},
    store: { a: image('c', ['l']), idx: index(['a']) },
    remove: ['a', 'idx'],
    removeRepository: true,
  },
  {
    title: 'no tags and no manifests: the empty repository goes',
    tags: {},
    store: {},
    remove: [],
    removeRepository: true,
  },
  {
    title: 'a tag to a manifest without revision link reaches nothing else and breaks nothing',
    tags: { t: 'ghost' },
    store: { ghost: index(['a']), a: image('c', ['l']) },
    manifests: ['a'],
    remove: [],
  },
  {
    title: 'a reachable manifest that cannot be read: keep everything in the repository',
    tags: { t: 'idx' },
    store: { idx: '{not json', a: image('c', ['l']), b: image('c', ['l']) },
    remove: [],
    warns: true,
  },
  {
    title: 'an unreachable manifest that is not JSON is kept (it could be a referrer)',
    tags: { t: 'a' },
    store: { a: image('c', ['l']), junk: '[1,2]' },
    remove: [],
    warns: true,
  },
  {
    title: 'an unreachable revision whose content is missing is removed (the registry cannot serve it)',
    tags: { t: 'a' },
    store: { a: image('c', ['l']), broken: null },
    remove: ['broken'],
  },
  {
    title: 'schema 1 blobSum and unknown artifact formats: every digest counts',
    tags: { t: 'art' },
    store: { art: { schemaVersion: 2, blobs: [desc('child')], fsLayers: [{ blobSum: d('x') }] }, child: image('c', ['l']) },
    remove: [],
  },
];

for (const c of cases) {
  test(`plan: ${c.title}`, (t) => {
    const r = repo(c.tags, c.manifests ?? Object.keys(c.store));
    const plan = planRepository(r, contentOf(c.store));
    t.deepEqual(names(plan.remove), [...c.remove].sort());
    t.deepEqual(names([...plan.keep, ...plan.remove]), names(r.manifests), 'every manifest is kept or removed, once');
    t.is(plan.removeRepository, c.removeRepository ?? false);
    t.is(plan.warnings.length > 0, c.warns ?? false, plan.warnings.join('; '));
  });
}

test('the hazard: every untagged child of a tagged index is reachable', (t) => {
  const store: Store = { idx: index(['amd', 'arm']), amd: image('c1', ['l1']), arm: image('c2', ['l2']) };
  const r = repo({ latest: 'idx' }, Object.keys(store));
  const untagged = r.manifests.filter((m) => ![...r.tags.values()].includes(m));
  t.deepEqual(names(untagged), ['amd', 'arm'], '--delete-untagged would delete these');
  t.deepEqual(names(reachableManifests(r, contentOf(store))), ['amd', 'arm', 'idx']);
});

test('readManifest collects config, layers, children and subject, once each', (t) => {
  const c = readManifest(new TextEncoder().encode(JSON.stringify(image('c', ['l', 'l', 'm'], 's'))));
  t.like(c, { kind: 'ok', subject: d('s') });
  t.deepEqual(c.kind === 'ok' ? [...c.references].sort() : [], [d('c'), d('l'), d('m'), d('s')]);
  t.deepEqual(readManifest(new TextEncoder().encode('"x"')), { kind: 'invalid', reason: 'not a JSON object but a string' });
  t.deepEqual(readManifest(new TextEncoder().encode('[{"digest":"sha256:aa"}]')), {
    kind: 'invalid',
    reason: 'not a JSON object but an array',
  });
  t.deepEqual(readManifest(new Uint8Array([0xff, 0xfe])), { kind: 'invalid', reason: 'not JSON' });
  t.deepEqual(readManifest(undefined), { kind: 'missing' });
});

test('predicted blobs: what no kept manifest marks, across repositories, with sizes', (t) => {
  const store: Store = {
    idx: index(['amd']),
    amd: image('c1', ['shared', 'l1']),
    old: image('c2', ['shared', 'l2']),
    other: image('c3', ['l2']),
  };
  const content = contentOf(store);
  const a = planRepository(repo({ t: 'idx' }, ['idx', 'amd', 'old']), content);
  const b = planRepository({ name: 'b', tags: new Map([['t', d('other')]]), manifests: [d('other')] }, content);
  const sizes = new Map<string, number>(
    ['idx', 'amd', 'old', 'other', 'c1', 'c2', 'c3', 'shared', 'l1', 'l2', 'orphan'].map((n, i) => [d(n), 10 + i]),
  );
  const p = predictBlobRemoval([a, b], content, sizes);
  // old's own bytes, its config; l2 is still used by repository b; orphan was never referenced.
  t.deepEqual(names(p.blobs), ['c2', 'old', 'orphan']);
  t.is(p.bytes, sizes.get(d('old'))! + sizes.get(d('c2'))! + sizes.get(d('orphan'))!);
});

test('grace period: a young untagged index keeps its children (a push writes them first, the tag last)', (t) => {
  const store: Store = { idx: index(['amd', 'arm']), amd: image('c1', ['l1']), arm: image('c2', ['l2']), old: image('c3', ['l3']) };
  const r = repo({}, Object.keys(store));
  const without = planRepository(r, contentOf(store));
  t.deepEqual(names(without.remove), ['amd', 'arm', 'idx', 'old']);
  t.true(without.removeRepository);
  const plan = planRepository(r, contentOf(store), { manifests: new Set([d('idx')]), busy: false });
  t.deepEqual(names(plan.remove), ['old']);
  t.deepEqual(names(plan.young), ['amd', 'arm', 'idx']);
  t.false(plan.removeRepository);
});

test('grace period: a repository with a young upload or link is not removed, its old manifests are', (t) => {
  const store: Store = { old: image('c', ['l']) };
  const plan = planRepository(repo({}, ['old']), contentOf(store), { manifests: new Set(), busy: true });
  t.deepEqual(names(plan.remove), ['old']);
  t.false(plan.removeRepository);
  t.deepEqual(plan.young, []);
});

test('grace period: young unreferenced blobs are predicted kept, with their bytes', (t) => {
  const store: Store = { a: image('c', ['l']) };
  const plan = planRepository(repo({ t: 'a' }, ['a']), contentOf(store));
  const sizes = new Map([
    [d('a'), 1],
    [d('c'), 2],
    [d('l'), 3],
    [d('uploaded'), 40],
    [d('orphan'), 500],
  ]);
  const p = predictBlobRemoval([plan], contentOf(store), sizes, new Set([d('uploaded'), d('l')]));
  t.deepEqual(names(p.blobs), ['orphan']);
  t.is(p.bytes, 500);
  t.deepEqual(names(p.young), ['uploaded'], 'a referenced blob is not counted as kept by the grace period');
  t.is(p.youngBytes, 40);
});
