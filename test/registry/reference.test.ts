import test from 'ava';
import { formatReference, isTag, parseReference, parseRepositoryName } from '../../src/registry/reference.ts';
import { UsageError } from '../../src/errors.ts';

const D = 'sha256:' + 'a'.repeat(64);

const good: Array<[string, string | undefined, { registry: string; repository: string; tag?: string; digest?: string }]> = [
  ['archy', 'localhost:5001', { registry: 'localhost:5001', repository: 'archy' }],
  ['archy:latest', 'localhost:5001', { registry: 'localhost:5001', repository: 'archy', tag: 'latest' }],
  ['localhost:5001/archy', 'localhost:5001', { registry: 'localhost:5001', repository: 'archy' }],
  ['localhost:5001/archy:v1.2', 'localhost:5001', { registry: 'localhost:5001', repository: 'archy', tag: 'v1.2' }],
  ['localhost/a/b/c', undefined, { registry: 'localhost', repository: 'a/b/c' }],
  ['team/app/web:1', 'localhost:5001', { registry: 'localhost:5001', repository: 'team/app/web', tag: '1' }],
  ['ubuntu', undefined, { registry: 'docker.io', repository: 'library/ubuntu' }],
  ['ubuntu:22.04', undefined, { registry: 'docker.io', repository: 'library/ubuntu', tag: '22.04' }],
  ['docker.io/ubuntu', 'localhost:5001', { registry: 'docker.io', repository: 'library/ubuntu' }],
  ['index.docker.io/foo/bar', 'localhost:5001', { registry: 'docker.io', repository: 'foo/bar' }],
  ['ghcr.io/org/img@' + D, undefined, { registry: 'ghcr.io', repository: 'org/img', digest: D }],
  ['r.example.com:443/x:t@' + D, undefined, { registry: 'r.example.com:443', repository: 'x', tag: 't', digest: D }],
  ['127.0.0.1:5000/a_b__c-d.e', undefined, { registry: '127.0.0.1:5000', repository: 'a_b__c-d.e' }],
  ['[::1]:5000/x', undefined, { registry: '[::1]:5000', repository: 'x' }],
  ['a---b:_tag', 'h:1', { registry: 'h:1', repository: 'a---b', tag: '_tag' }],
  ['x:' + 'T'.repeat(128), 'h:1', { registry: 'h:1', repository: 'x', tag: 'T'.repeat(128) }],
];

for (const [input, registry, expected] of good) {
  test(`parses ${input.slice(0, 60)}`, (t) => {
    t.deepEqual(parseReference(input, registry), expected);
  });
}

const bad: Array<[string, RegExp]> = [
  ['', /empty/],
  ['Archy', /lower-case/],
  ['localhost:5001/Archy', /lower-case/],
  ['archy@sha256:abc', /digest/],
  ['archy@md5:' + 'a'.repeat(32), /digest/],
  ['archy@sha256:' + 'A'.repeat(64), /digest/],
  ['a/../b', /component/],
  ['../etc', /not a registry|component/],
  ['a//b', /component/],
  ['a/b/', /component/],
  ['-a', /component/],
  ['a_', /component/],
  ['a b', /spaces or control/],
  ['a\nb', /spaces or control/],
  ['a\u0000', /spaces or control/],
  ['x:.tag', /bad tag/],
  ['x:' + 'a'.repeat(129), /bad tag/],
  ['x:ta/g', /not a registry|component/],
  ['localhost:5001/' + 'a'.repeat(250), /longer than 255/],
  ['ex_ample.com/x', /not a registry/],
  [':tag', /no repository/],
];

for (const [input, message] of bad) {
  test(`rejects ${JSON.stringify(input).slice(0, 60)}`, (t) => {
    const err = t.throws(() => parseReference(input, 'localhost:5001'), { instanceOf: UsageError });
    t.regex(err.message, message);
  });
}

test('repository names refuse tags and digests', (t) => {
  t.deepEqual(parseRepositoryName('team/app', 'h:1'), { registry: 'h:1', repository: 'team/app' });
  t.throws(() => parseRepositoryName('app:1', 'h:1'), { instanceOf: UsageError, message: /leave out/ });
  t.throws(() => parseRepositoryName('app@' + D, 'h:1'), { instanceOf: UsageError });
});

test('formats references back', (t) => {
  t.is(formatReference(parseReference('archy:latest', 'localhost:5001')), 'localhost:5001/archy:latest');
  t.is(formatReference(parseReference('x:t@' + D, 'h:1')), `h:1/x:t@${D}`);
});

test('every Docker Hub name is docker.io, and a single-name repository is under library/', (t) => {
  for (const hub of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'Docker.IO']) {
    t.deepEqual(parseReference(`${hub}/ubuntu`, 'localhost:5001'), { registry: 'docker.io', repository: 'library/ubuntu' }, hub);
  }
  t.deepEqual(parseReference('ubuntu', 'index.docker.io'), { registry: 'docker.io', repository: 'library/ubuntu' });
});

test('the registry part is a registry host: a port outside 1-65535 is refused before any request', (t) => {
  for (const bad of ['localhost:99999/app', 'localhost:0/app', 'h:123456/app']) {
    t.throws(
      () => parseReference(bad, 'localhost:5001'),
      { instanceOf: UsageError, message: /^invalid image reference "[^"]+": the port of "[^"]+" must be from 1 to 65535$/ },
      bad,
    );
  }
  t.throws(() => parseReference('app', 'localhost:99999'), {
    instanceOf: UsageError,
    message: /the port of "localhost:99999" must be from 1 to 65535/,
  });
});

test('tags: letters, digits, _ . -, at most 128, not starting with . or -', (t) => {
  for (const good of ['v1', '_x', 'V1.2-rc_3', 'a'.repeat(128)]) t.true(isTag(good), good);
  for (const bad of ['', '.v1', '-v1', 'a'.repeat(129), 'a/b', 'a:b', 'a b']) t.false(isTag(bad), bad);
});
