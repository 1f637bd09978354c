// What a refused connection to a remote engine says to do.
import test from 'ava';
import type { ResolvedEndpoint } from '../../src/engine/endpoint.ts';
import { remoteFailureHint, sshFailure } from '../../src/engine/remote-errors.ts';
import { EngineUnreachableError } from '../../src/errors.ts';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });
const ssh: ResolvedEndpoint = { host: 'ssh://me@builder:2222', context: 'default', source: 'DOCKER_HOST' };
const tls: ResolvedEndpoint = {
  host: 'tcp://10.0.0.1:2376',
  context: 'default',
  source: 'DOCKER_HOST',
  tls: { verify: true, ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem' },
};

test('ssh: the failure ssh-agent.ts reported, as it is; anything else is left to the general message', (t) => {
  const failed = new EngineUnreachableError(sshFailure('builder', 255, null, 'Permission denied (publickey).\n'));
  t.is(remoteFailureHint(ssh, failed), failed.message);
  t.is(remoteFailureHint(ssh, withCode('socket hang up', 'ECONNRESET')), undefined);
});

test("sshFailure: ssh's own last line, naming the host, and what to check for the known cases", (t) => {
  t.is(
    sshFailure('h', 255, null, 'Warning: Permanently added x\r\nHost key verification failed.\r\n'),
    'ssh h failed: Host key verification failed.: is the host key of h in your known_hosts? (connect once with ssh h to check it and add it)',
  );
  t.regex(
    sshFailure('h', 255, null, 'me@h: Permission denied (publickey).\n'),
    /^ssh h failed: me@h: Permission denied \(publickey\)\.: does ssh h log in without a password\? /,
  );
  t.is(
    sshFailure('h', 127, null, 'bash: line 1: docker: command not found\n'),
    'ssh h failed: bash: line 1: docker: command not found: is Docker installed on h, on the PATH of a non-interactive ssh session?',
  );
  t.is(
    sshFailure('h', 255, null, 'ssh: Could not resolve hostname h: Name or service not known\n'),
    'ssh h failed: ssh: Could not resolve hostname h: Name or service not known',
  );
  t.is(sshFailure('h', null, 'SIGKILL', ''), 'ssh h failed: it ended with signal SIGKILL and said nothing');
});

test('TLS: an untrusted engine certificate names the CA file', (t) => {
  const hint = remoteFailureHint(tls, withCode('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'));
  t.regex(hint ?? '', /not trusted \(self-signed certificate in certificate chain\): is \/certs\/ca\.pem the CA/);
});

test('TLS: a refused or missing client certificate', (t) => {
  t.regex(
    remoteFailureHint(tls, withCode('x', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA')) ?? '',
    /refused our client certificate \/certs\/cert\.pem/,
  );
  const noCert: ResolvedEndpoint = { ...tls, tls: { verify: true, ca: '/certs/ca.pem' } };
  t.regex(remoteFailureHint(noCert, withCode('x', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')) ?? '', /we sent no client certificate/);
});

test('anything else is left to the general message', (t) => {
  const refused = withCode('connect ECONNREFUSED 10.0.0.1:2376', 'ECONNREFUSED');
  t.is(remoteFailureHint(tls, refused), undefined);
  t.is(remoteFailureHint(ssh, refused), undefined);
  const plainTcp: ResolvedEndpoint = { host: tls.host, context: 'default', source: 'DOCKER_HOST' };
  t.is(remoteFailureHint(plainTcp, withCode('x', 'SELF_SIGNED_CERT_IN_CHAIN')), undefined);
});
