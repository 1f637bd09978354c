// ssh engines: the target from the URL, and the host key checked against known_hosts.
import test from 'ava';
import { createHmac } from 'node:crypto';
import { knownHostKey, parseSshHost } from '../../src/engine/ssh.ts';
import { UsageError } from '../../src/errors.ts';

const key = Buffer.from('the host key blob');
const other = Buffer.from('another key');
const b64 = key.toString('base64');
const hashed = (name: string): string => {
  const salt = Buffer.from('0123456789abcdefghij');
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
};

test('parseSshHost: user, host, port; defaults', (t) => {
  t.deepEqual(parseSshHost('ssh://me@builder:2222', {}), { host: 'builder', port: 2222, username: 'me' });
  t.deepEqual(parseSshHost('ssh://builder', { USER: 'alice' }), { host: 'builder', port: 22, username: 'alice' });
  t.throws(() => parseSshHost('ssh://builder/path', {}), { instanceOf: UsageError });
});

const cases: [string, string, string, number, Buffer, boolean][] = [
  ['plain name', `builder ssh-ed25519 ${b64}`, 'builder', 22, key, true],
  ['another key', `builder ssh-ed25519 ${b64}`, 'builder', 22, other, false],
  ['not listed', `elsewhere ssh-ed25519 ${b64}`, 'builder', 22, key, false],
  ['one of several names', `a,builder,10.0.0.1 ssh-ed25519 ${b64}`, 'builder', 22, key, true],
  ['non-standard port needs [host]:port', `builder ssh-ed25519 ${b64}`, 'builder', 2222, key, false],
  ['[host]:port', `[builder]:2222 ssh-ed25519 ${b64}`, 'builder', 2222, key, true],
  ['hashed name', `${hashed('builder')} ssh-ed25519 ${b64}`, 'builder', 22, key, true],
  ['hashed other name', `${hashed('other')} ssh-ed25519 ${b64}`, 'builder', 22, key, false],
  ['wildcard', `*.example.com ssh-ed25519 ${b64}`, 'b.example.com', 22, key, true],
  ['negated', `*.example.com,!b.example.com ssh-ed25519 ${b64}`, 'b.example.com', 22, key, false],
  ['revoked wins', `builder ssh-ed25519 ${b64}\n@revoked builder ssh-ed25519 ${b64}`, 'builder', 22, key, false],
  ['comments and blanks', `# comment\n\nbuilder ssh-ed25519 ${b64} comment`, 'builder', 22, key, true],
];
for (const [title, text, host, port, k, expected] of cases) {
  test(`known_hosts: ${title}`, (t) => {
    t.is(knownHostKey(text, host, port, k), expected);
  });
}
