// Where the token service may be (auth.ts): never on plain HTTP for an https registry, and
// the user's password (or identity token) goes to a realm on another host only over https.
// The refusals happen before any request: the pool here records what would have been sent.
import test from 'ava';
import { Authenticator } from '../../src/registry/auth.ts';
import type { HttpPool } from '../../src/registry/http-pool.ts';
import { AuthError } from '../../src/errors.ts';
import { parseChallenges } from '../../src/registry/challenge.ts';
import { Readable } from 'node:stream';

function authenticator(origin: string, withCredential: boolean) {
  const sent: string[] = [];
  const pool = {
    request: async (url: URL, init: { headers?: Record<string, string> }) => {
      sent.push(`${url.origin} ${init.headers?.authorization ? 'with credentials' : 'anonymous'}`);
      return { statusCode: 200, headers: {}, body: Readable.from([Buffer.from('{"token":"t"}')]) };
    },
  } as unknown as HttpPool;
  const auth = new Authenticator({
    host: new URL(origin).host,
    pool,
    origin: () => origin,
    userAgent: 'test',
    ...(withCredential ? { credentials: async () => ({ username: 'u', password: 'secret' }) } : {}),
  });
  return { auth, sent };
}

const bearer = (realm: string) => parseChallenges(`Bearer realm="${realm}",service="s"`);

const cases: Array<[string, string, boolean, 'refused' | 'with credentials' | 'anonymous', RegExp?]> = [
  [
    'https registry, plain-HTTP realm on the same host',
    'https://registry.example',
    true,
    'refused',
    /token service on plain HTTP \(http:\/\/registry.example\) for an https registry: refused/,
  ],
  ['https registry, plain-HTTP realm elsewhere, no login', 'https://registry.example', false, 'refused', /plain HTTP/],
  [
    'plain-HTTP registry, plain-HTTP realm on another host',
    'http://registry.example:5000',
    true,
    'refused',
    /token service on another host over plain HTTP \(http:\/\/auth.example\): your password is sent to another host only over https/,
  ],
  ['plain-HTTP registry, plain-HTTP realm on another host, no login', 'http://registry.example:5000', false, 'anonymous'],
  ['https registry, https realm on another host', 'https://registry.example', true, 'with credentials'],
  ['plain-HTTP registry, plain-HTTP realm on its own host', 'http://registry.example:5000', true, 'with credentials'],
  ['loopback registry, loopback realm on another address', 'http://localhost:5000', true, 'with credentials'],
];

const realmFor = (name: string, origin: string): string =>
  name.includes('https realm')
    ? 'https://auth.example/token'
    : name.includes('own host') || name.includes('same host')
      ? `http://${new URL(origin).hostname}/token`
      : name.includes('loopback')
        ? 'http://127.0.0.1:5001/token'
        : 'http://auth.example/token';

for (const [name, origin, withCredential, outcome, message] of cases) {
  test(`${name}: ${outcome}`, async (t) => {
    const { auth, sent } = authenticator(origin, withCredential);
    const realm = realmFor(name, origin);
    if (outcome === 'refused') {
      const err = await t.throwsAsync(() => auth.answer(bearer(realm), ['repository:x:pull'], undefined), { instanceOf: AuthError });
      if (message) t.regex(err.message, message);
      t.notRegex(err.message, /secret/);
      t.deepEqual(sent, [], 'nothing was sent');
    } else {
      t.is(await auth.answer(bearer(realm), ['repository:x:pull'], undefined), 'Bearer t');
      t.deepEqual(sent, [`${new URL(realm).origin} ${outcome}`]);
    }
  });
}
