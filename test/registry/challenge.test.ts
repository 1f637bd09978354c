import test from 'ava';
import { parseChallenges } from '../../src/registry/challenge.ts';

test('a Bearer challenge with a scope holding colons and commas', (t) => {
  t.deepEqual(
    parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:localhost:5000/x:pull,push"'),
    [
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:localhost:5000/x:pull,push' },
      },
    ],
  );
});

test('several challenges in one header, unquoted values, spaces, odd case', (t) => {
  t.deepEqual(parseChallenges('Basic realm="Registry Realm", BEARER Realm=https://a/t , service = s'), [
    { scheme: 'basic', params: { realm: 'Registry Realm' } },
    { scheme: 'bearer', params: { realm: 'https://a/t', service: 's' } },
  ]);
});

test('several headers, escaped quotes, a bare scheme', (t) => {
  t.deepEqual(parseChallenges(['Negotiate', 'Bearer realm="a\\"b",error="insufficient_scope"']), [
    { scheme: 'negotiate', params: {} },
    { scheme: 'bearer', params: { realm: 'a"b', error: 'insufficient_scope' } },
  ]);
});

test('nothing to parse', (t) => {
  t.deepEqual(parseChallenges(undefined), []);
  t.deepEqual(parseChallenges(''), []);
});
