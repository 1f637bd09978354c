// Completion of registry names: which argument is an IMAGE, REPO or TAG (completionTarget),
// the candidates from a registry's lists (registryCandidates, with a fake lister), the
// whole cobra answer against the in-process registry (completeWithRegistry), and the scripts.
import test from 'ava';
import { commands } from '../../src/cli/commands/index.ts';
import { completionTarget, completions } from '../../src/cli/complete.ts';
import { completeWithRegistry, registryCandidates, type RegistryLister } from '../../src/cli/complete-registry.ts';
import { completionScript } from '../../src/cli/completion-scripts.ts';
import { DEFAULT_REGISTRY, GLOBAL_OPTIONS } from '../../src/cli/global-options.ts';
import { closedHost, startOciRegistry, type FaultSpec } from '../fakes/oci-registry.ts';
import { buildManifest, tar } from '../helpers/images.ts';

const target = (...args: string[]) => completionTarget(commands, GLOBAL_OPTIONS, args);

test('IMAGE arguments: inspect, rmi, cp IMAGE, cpe IMAGE, every word of the variadic ones', (t) => {
  for (const args of [
    ['inspect', ''],
    ['ins', 'a'],
    ['inspect', 'app:v1', ''],
    ['rmi', ''],
    ['delimage', 'x', 'y', ''],
    ['cp', ''],
    ['cpe', 'ap'],
    ['inspect', '--layers', ''],
  ]) {
    t.is(target(...args)?.kind, 'image', args.join(' '));
  }
  t.deepEqual(target('inspect', 'ap'), { kind: 'image', registry: undefined, current: 'ap' });
});

test('REPO arguments: rmr and lsi, every word', (t) => {
  for (const args of [
    ['rmr', ''],
    ['delrepo', 'a', ''],
    ['lsi', ''],
    ['images', 'x', 'te'],
  ])
    t.is(target(...args)?.kind, 'repo', args.join(' '));
});

test("TAG arguments of cp and cpe: tags of the IMAGE's repository", (t) => {
  t.deepEqual(target('cp', 'app:v1', 'ghcr.io/acme', ''), { kind: 'tag', registry: undefined, image: 'app:v1', current: '' });
  t.deepEqual(target('cp', 'app', 'ghcr.io/acme', 'v1', 'v'), { kind: 'tag', registry: undefined, image: 'app', current: 'v' });
  t.deepEqual(target('cpe', 'app', ''), { kind: 'tag', registry: undefined, image: 'app', current: '' });
});

test('-r/--registry typed on the line is the registry asked', (t) => {
  t.is(target('-r', 'localhost:6000', 'inspect', '')?.registry, 'localhost:6000');
  t.is(target('--registry', 'localhost:6001', 'rmr', '')?.registry, 'localhost:6001');
  t.is(target('--registry=localhost:6002', 'lsi', '')?.registry, 'localhost:6002');
  t.is(target('inspect', '-r', 'localhost:6003', '')?.registry, 'localhost:6003');
});

test('no registry names for other words: commands, options, option values, destinations, other commands', (t) => {
  for (const args of [
    [''],
    ['ins'],
    ['inspect', '-'],
    ['inspect', '--la'],
    ['inspect', '-r', ''],
    ['cp', 'app', ''],
    ['ls', ''],
    ['start', ''],
    ['gc', ''],
    ['completion', ''],
  ]) {
    t.is(target(...args), undefined, args.join(' '));
  }
});

test('completion SHELL completes bash and zsh', (t) => {
  t.deepEqual(completions(commands, GLOBAL_OPTIONS, ['completion', '']).split('\n').filter(Boolean), ['bash', 'zsh', ':4']);
  t.deepEqual(completions(commands, GLOBAL_OPTIONS, ['completion', 'z']).split('\n').filter(Boolean), ['zsh', ':4']);
  t.true(completions(commands, GLOBAL_OPTIONS, ['comp']).startsWith('completion\t'));
});

// ---- candidates from a registry's lists ------------------------------------------------

function fakeLister(registries: Record<string, Record<string, string[] | Error>>, asked: string[] = []): (host: string) => RegistryLister {
  return (host) => {
    asked.push(host);
    const repos = registries[host] ?? {};
    return {
      repositories: async () => Object.keys(repos),
      tags: async (r) => {
        const tags = repos[r];
        if (tags === undefined) throw new Error(`no repository ${r}`);
        if (tags instanceof Error) throw tags;
        return tags;
      },
    };
  };
}

const local = { [DEFAULT_REGISTRY]: { 'team/api': ['latest'], app: ['v2', 'v1'], web: new Error('denied') } };

test('an image: each repository, then its tags, sorted; a repository whose tags fail is still offered', async (t) => {
  const asked: string[] = [];
  t.deepEqual(await registryCandidates({ kind: 'image', registry: undefined, current: '' }, fakeLister(local, asked)), [
    'app',
    'app:v1',
    'app:v2',
    'team/api',
    'team/api:latest',
    'web',
  ]);
  t.deepEqual(asked, [DEFAULT_REGISTRY]);
  t.deepEqual(await registryCandidates({ kind: 'image', registry: undefined, current: 'te' }, fakeLister(local)), [
    'team/api',
    'team/api:latest',
  ]);
});

test("an image with a colon: that repository's tags", async (t) => {
  t.deepEqual(await registryCandidates({ kind: 'image', registry: undefined, current: 'app:' }, fakeLister(local)), ['app:v1', 'app:v2']);
  t.deepEqual(await registryCandidates({ kind: 'image', registry: undefined, current: 'app:v2' }, fakeLister(local)), ['app:v2']);
});

test('a word naming a registry asks that registry and keeps its prefix', async (t) => {
  const asked: string[] = [];
  const lister = fakeLister({ 'localhost:5002': { other: ['x'] } }, asked);
  t.deepEqual(await registryCandidates({ kind: 'image', registry: undefined, current: 'localhost:5002/o' }, lister), [
    'localhost:5002/other',
    'localhost:5002/other:x',
  ]);
  t.deepEqual(await registryCandidates({ kind: 'image', registry: undefined, current: 'localhost:5002/other:' }, lister), [
    'localhost:5002/other:x',
  ]);
  t.deepEqual(await registryCandidates({ kind: 'repo', registry: undefined, current: 'localhost:5002/' }, lister), [
    'localhost:5002/other',
  ]);
  t.deepEqual(asked, ['localhost:5002', 'localhost:5002', 'localhost:5002']);
});

test('-r decides the registry; a repository argument gets repositories only', async (t) => {
  const asked: string[] = [];
  const lister = fakeLister({ 'localhost:6000': { b: ['1'], a: ['2'] } }, asked);
  t.deepEqual(await registryCandidates({ kind: 'repo', registry: 'localhost:6000', current: '' }, lister), ['a', 'b']);
  t.deepEqual(asked, ['localhost:6000']);
});

test("tags: of the image's repository (its tag or digest left out), on the image's registry", async (t) => {
  const asked: string[] = [];
  const lister = fakeLister({ ...local, 'localhost:7000': { app: ['prod', 'dev'] } }, asked);
  t.deepEqual(await registryCandidates({ kind: 'tag', registry: undefined, image: 'app:v1', current: '' }, lister), ['v1', 'v2']);
  t.deepEqual(
    await registryCandidates({ kind: 'tag', registry: undefined, image: `app@sha256:${'a'.repeat(64)}`, current: 'v2' }, lister),
    ['v2'],
  );
  t.deepEqual(await registryCandidates({ kind: 'tag', registry: undefined, image: 'localhost:7000/app:prod', current: 'd' }, lister), [
    'dev',
  ]);
  t.deepEqual(asked, [DEFAULT_REGISTRY, DEFAULT_REGISTRY, 'localhost:7000']);
});

test('tags and repositories in a human order: v2 before v10, app2 before app10', async (t) => {
  const lister = fakeLister({ [DEFAULT_REGISTRY]: { app10: ['x'], app2: ['v10', 'v9', 'v2', 'latest', 'v1.10', 'v1.9'] } });
  t.deepEqual(await registryCandidates({ kind: 'tag', registry: undefined, image: 'app2', current: '' }, lister), [
    'latest',
    'v1.9',
    'v1.10',
    'v2',
    'v9',
    'v10',
  ]);
  t.deepEqual(await registryCandidates({ kind: 'repo', registry: undefined, current: 'app' }, lister), ['app2', 'app10']);
  t.deepEqual(await registryCandidates({ kind: 'image', registry: undefined, current: 'app2:v' }, lister), [
    'app2:v1.9',
    'app2:v1.10',
    'app2:v2',
    'app2:v9',
    'app2:v10',
  ]);
});

// ---- the whole answer, against HTTP registries ------------------------------------------

const image = buildManifest(
  'oci',
  { os: 'linux', architecture: 'amd64' },
  [tar([{ name: 'a.txt', type: 'file', data: Buffer.from('a') }])],
  ['/a.txt'],
);

async function fakeRegistry(t: import('ava').ExecutionContext, repositories: Record<string, string[]>, fault?: FaultSpec): Promise<string> {
  const fake = await startOciRegistry();
  t.teardown(fake.close);
  for (const [name, tags] of Object.entries(repositories)) for (const tag of tags) fake.store.pushImage(name, tag, image);
  if (fault) fake.faults.add(fault);
  return fake.host;
}

const env = { PATH: process.env.PATH, HOME: process.env.HOME } as NodeJS.ProcessEnv;

test("completeWithRegistry: the registry's names between the static candidates and the directive", async (t) => {
  const host = await fakeRegistry(t, { app: ['v1'], 'team/api': ['latest', 'dev'] });
  const answer = await completeWithRegistry(commands, GLOBAL_OPTIONS, ['-r', host, 'inspect', ''], env, '/nonexistent');
  t.is(answer, ['app', 'app:v1', 'team/api', 'team/api:dev', 'team/api:latest', ':4', ''].join('\n'));
  t.is(await completeWithRegistry(commands, GLOBAL_OPTIONS, ['-r', host, 'rmr', 't'], env, undefined), 'team/api\n:4\n');
  t.is(
    await completeWithRegistry(commands, GLOBAL_OPTIONS, ['-r', host, 'cp', 'team/api', 'localhost:9', ''], env, undefined),
    'dev\nlatest\n:4\n',
  );
});

test('completeWithRegistry: nothing from a registry that is not there, or answers garbage, or never answers', async (t) => {
  const closed = await closedHost(); // nothing listens there
  const garbageHost = await fakeRegistry(t, { app: ['v1'] }, { status: 200, body: '\u0000\u0001 not json' });
  const silentHost = await fakeRegistry(t, { app: ['v1'] }, { stall: true });
  const quick = { ...env, JINDR_TIMEOUT_MS: '300' };
  for (const host of [closed, garbageHost, silentHost]) {
    t.is(await completeWithRegistry(commands, GLOBAL_OPTIONS, ['-r', host, 'inspect', ''], quick, undefined), ':4\n', host);
  }
  t.is(await completeWithRegistry(commands, GLOBAL_OPTIONS, ['-r', 'not a host', 'inspect', ''], quick, undefined), ':4\n');
});

test('completeWithRegistry leaves other words to completions()', async (t) => {
  const args = ['-r', 'localhost:1', 'ins'];
  t.is(await completeWithRegistry(commands, GLOBAL_OPTIONS, args, env, undefined), completions(commands, GLOBAL_OPTIONS, args));
});

test('the scripts call the program they are given, quoted for the shell', (t) => {
  for (const shell of ['bash', 'zsh'] as const) {
    const script = completionScript(shell, "/opt/it's here/docker-jindr");
    t.true(script.includes(`__docker_jindr_program='/opt/it'\\''s here/docker-jindr'`), shell);
    t.true(script.includes('__complete jindr'), shell);
  }
  t.regex(completionScript('bash', 'docker-jindr'), /^complete -F _docker_jindr docker-jindr$/m);
  t.regex(completionScript('zsh', 'docker-jindr'), /^compdef _docker_jindr docker-jindr$/m);
});
