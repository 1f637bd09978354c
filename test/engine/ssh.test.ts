// ssh engines: the ssh:// URL read as docker/cli reads it, and the ssh command line it gives.
import test from 'ava';
import { parseSshHost, sshArgs, sshForwardArgs } from '../../src/engine/ssh.ts';
import { UsageError } from '../../src/errors.ts';

test('parseSshHost: user, host, port, remote socket; only what the URL has', (t) => {
  t.deepEqual(parseSshHost('ssh://me@builder:2222'), { host: 'builder', user: 'me', port: '2222' });
  t.deepEqual(parseSshHost('ssh://myalias'), { host: 'myalias' });
  t.deepEqual(parseSshHost('ssh://myalias/'), { host: 'myalias' });
  t.deepEqual(parseSshHost('ssh://[::1]:22'), { host: '::1', port: '22' });
  t.deepEqual(parseSshHost('ssh://me@h/run/user/1000/docker.sock'), { host: 'h', user: 'me', socket: '/run/user/1000/docker.sock' });
});

test('parseSshHost: a password, query, fragment, empty host or control character is a usage error; the password is never shown', (t) => {
  for (const [value, why] of [
    ['ssh://me:s3cret@builder', /^invalid ssh Docker host "ssh:\/\/me@builder": a password in the URL is not supported: /],
    ['ssh://builder?x=1', /query parameters are not allowed/],
    ['ssh://builder#x', /fragments are not allowed/],
    ['ssh://', /./],
    ['ssh://me%0a@builder', /control character/],
    ['ssh://me%zz@builder', /percent-encoding/],
    ['tcp://builder', /use ssh:\/\//],
  ] as const) {
    const err = t.throws(() => parseSshHost(value), { instanceOf: UsageError }, value);
    t.regex(err.message, why, value);
    t.false(err.message.includes('s3cret'), value);
  }
});

test("sshArgs: as docker/cli gives them, and nothing more (the rest is the user's ssh config)", (t) => {
  t.deepEqual(sshArgs({ host: 'myalias' }), ['-o', 'ConnectTimeout=30', '-T', '--', 'myalias', 'docker system dial-stdio']);
  t.deepEqual(sshArgs({ host: 'builder', user: 'me', port: '2222' }), [
    '-l',
    'me',
    '-p',
    '2222',
    '-o',
    'ConnectTimeout=30',
    '-T',
    '--',
    'builder',
    'docker system dial-stdio',
  ]);
  // A host that looks like an option stays the host: it comes after --.
  t.deepEqual(sshArgs({ host: '-oProxyCommand=x' }).slice(-3), ['--', '-oProxyCommand=x', 'docker system dial-stdio']);
});

test('sshArgs: the remote socket goes to docker --host, quoted for the remote shell', (t) => {
  t.is(sshArgs({ host: 'h', socket: '/run/docker.sock' }).at(-1), 'docker --host=unix:///run/docker.sock system dial-stdio');
  t.is(sshArgs({ host: 'h', socket: "/tmp/it's here;rm" }).at(-1), `docker '--host=unix:///tmp/it'\\''s here;rm' system dial-stdio`);
});

test('sshForwardArgs: the same login as sshArgs, forwarding a local Unix socket to the host loopback, no command', (t) => {
  t.deepEqual(sshForwardArgs({ host: 'web1', user: 'me', port: '2222' }, '/tmp/d/forward.sock', 32768), [
    '-l',
    'me',
    '-p',
    '2222',
    '-o',
    'ConnectTimeout=30',
    '-o',
    'ExitOnForwardFailure=yes',
    '-N',
    '-T',
    '-L',
    '/tmp/d/forward.sock:127.0.0.1:32768',
    '--',
    'web1',
  ]);
  // The host stays an argument after --, never an option.
  t.deepEqual(sshForwardArgs({ host: '-oProxyCommand=x' }, '/s', 1).slice(-2), ['--', '-oProxyCommand=x']);
});
