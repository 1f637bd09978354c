// What a refused connection to a remote engine says to do.
import test from 'ava';
import type { ResolvedEndpoint } from '../../src/engine/endpoint.ts';
import { remoteFailureHint } from '../../src/engine/remote-errors.ts';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });
const ssh: ResolvedEndpoint = { host: 'ssh://me@builder:2222', context: 'default', source: 'DOCKER_HOST' };
const tls: ResolvedEndpoint = {
  host: 'tcp://10.0.0.1:2376', context: 'default', source: 'DOCKER_HOST',
  tls: { verify: true, ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem' },
};

test('ssh: an unknown or changed host key names the known_hosts entry', (t) => {
  const hint = remoteFailureHint(ssh, new Error('Host denied (verification failed)'), {});
  t.regex(hint ?? '', /\[builder\]:2222 is not in ~\/\.ssh\/known_hosts/);
});

test('ssh: a refused key names the user and where keys come from', (t) => {
  const err = Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' });
  t.regex(remoteFailureHint(ssh, err, {}) ?? '', /refused our key for me: .*SSH_AUTH_SOCK.*id_ed25519/);
});

test('TLS: an untrusted engine certificate names the CA file', (t) => {
  const hint = remoteFailureHint(tls, withCode('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'), {});
  t.regex(hint ?? '', /not trusted \(self-signed certificate in certificate chain\): is \/certs\/ca\.pem the CA/);
});

test('TLS: a refused or missing client certificate', (t) => {
  t.regex(remoteFailureHint(tls, withCode('x', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'), {}) ?? '', /refused our client certificate \/certs\/cert\.pem/);
  const noCert: ResolvedEndpoint = { ...tls, tls: { verify: true, ca: '/certs/ca.pem' } };
  t.regex(remoteFailureHint(noCert, withCode('x', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), {}) ?? '', /we sent no client certificate/);
});

test('anything else is left to the general message', (t) => {
  const refused = withCode('connect ECONNREFUSED 10.0.0.1:2376', 'ECONNREFUSED');
  t.is(remoteFailureHint(tls, refused, {}), undefined);
  t.is(remoteFailureHint(ssh, refused, {}), undefined);
  const plainTcp: ResolvedEndpoint = { host: tls.host, context: 'default', source: 'DOCKER_HOST' };
  t.is(remoteFailureHint(plainTcp, withCode('x', 'SELF_SIGNED_CERT_IN_CHAIN'), {}), undefined);
});
