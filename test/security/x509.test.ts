// Certificates made without any library: what they hold, that the CA signs the server's,
// that openssl (a second, independent reader) verifies them, and when one is renewed.
import test from 'ava';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integer, namedBits, oid, time } from '../../src/security/der.ts';
import {
  certificateNames,
  covers,
  ipBytes,
  makeCa,
  makeServerCertificate,
  renewalReason,
  RENEW_DAYS,
  SERVER_DAYS,
} from '../../src/security/x509.ts';

const DAY = 24 * 60 * 60 * 1000;
const names = ['localhost', '127.0.0.1', '::1', 'build-host', '10.1.2.3', 'registry.example.com'];

test('DER pieces', (t) => {
  t.is(integer(0).toString('hex'), '020100');
  t.is(integer(127).toString('hex'), '02017f');
  t.is(integer(128).toString('hex'), '02020080');
  t.is(integer(Buffer.from([0, 0, 1])).toString('hex'), '020101');
  t.is(oid('1.2.840.10045.4.3.2').toString('hex'), '06082a8648ce3d040302');
  t.is(oid('2.5.29.17').toString('hex'), '0603551d11');
  t.is(namedBits([0]).toString('hex'), '03020780'); // digitalSignature
  t.is(namedBits([0, 5, 6]).toString('hex'), '03020186'); // + keyCertSign, cRLSign
  t.is(
    time(new Date(Date.UTC(2030, 0, 2, 3, 4, 5)))
      .toString('latin1')
      .slice(2),
    '300102030405Z',
  );
  t.is(
    time(new Date(Date.UTC(2050, 0, 2, 3, 4, 5)))
      .toString('latin1')
      .slice(2),
    '20500102030405Z',
  );
});

test('IP addresses as certificate bytes', (t) => {
  t.is(ipBytes('127.0.0.1').toString('hex'), '7f000001');
  t.is(ipBytes('::1').toString('hex'), '00000000000000000000000000000001');
  t.is(ipBytes('fe80::1:2').toString('hex'), 'fe800000000000000000000000010002');
  t.is(ipBytes('::ffff:10.0.0.1').toString('hex'), '00000000000000000000ffff0a000001');
  t.is(ipBytes('2001:db8::').toString('hex'), '20010db8000000000000000000000000');
});

test('a CA and a server certificate: names, CA signs server, key pairs, validity', (t) => {
  const now = new Date();
  const ca = makeCa({ commonName: 'docker-jindr CA test' });
  const server = makeServerCertificate({ ca, names, now });
  const caCert = new X509Certificate(ca.cert);
  const cert = new X509Certificate(server.cert);
  t.true(caCert.ca);
  t.false(cert.ca);
  t.true(cert.checkIssued(caCert));
  t.true(cert.verify(caCert.publicKey));
  t.true(caCert.verify(caCert.publicKey), 'the CA is self-signed');
  t.true(cert.checkPrivateKey(createPrivateKey(server.key)));
  t.true(caCert.checkPrivateKey(createPrivateKey(ca.key)));
  t.is(cert.issuer, caCert.subject);
  t.deepEqual(certificateNames(cert), ['localhost', '127.0.0.1', '0:0:0:0:0:0:0:1', 'build-host', '10.1.2.3', 'registry.example.com']);
  for (const n of names) t.true(covers(cert, n), n);
  t.false(covers(cert, 'other.example.com'));
  t.false(covers(cert, '127.0.0.2'));
  t.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extended key usage: serverAuth');
  const days = (cert.validToDate.getTime() - now.getTime()) / DAY;
  t.true(days > SERVER_DAYS - 1 && days <= SERVER_DAYS, String(days));
  t.true(cert.validFromDate.getTime() <= now.getTime());
  t.true(caCert.validToDate.getTime() >= cert.validToDate.getTime());
  t.not(new X509Certificate(makeServerCertificate({ ca, names }).cert).serialNumber, cert.serialNumber);
});

test('openssl verifies the chain and the host names', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-x509-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = makeCa({ commonName: 'docker-jindr CA openssl' });
  const server = makeServerCertificate({ ca, names });
  writeFileSync(join(dir, 'ca.crt'), ca.cert);
  writeFileSync(join(dir, 'server.crt'), server.cert);
  const verify = (...extra: string[]): string =>
    execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), '-purpose', 'sslserver', ...extra, join(dir, 'server.crt')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  t.regex(verify(), /server\.crt: OK/);
  t.regex(verify('-verify_hostname', 'localhost'), /OK/);
  t.regex(verify('-verify_ip', '::1'), /OK/);
  t.throws(() => verify('-verify_hostname', 'elsewhere.example.com'));
  const other = makeCa({ commonName: 'another CA' });
  writeFileSync(join(dir, 'ca.crt'), other.cert);
  t.throws(() => verify(), undefined, 'a certificate of another CA does not verify');
});

test('renewal: kept while valid and complete; renewed near its end, for a new name, another CA, a wrong key', (t) => {
  const now = new Date();
  const ca = makeCa({ commonName: 'CA', now });
  const server = makeServerCertificate({ ca, names: ['localhost', '127.0.0.1'], now });
  t.is(renewalReason(server, ca, ['localhost', '127.0.0.1'], now), undefined);
  t.is(renewalReason(server, ca, ['localhost'], now), undefined, 'a name no longer asked for is no reason');
  t.is(renewalReason(undefined, ca, ['localhost'], now), 'there is none');
  t.is(renewalReason(server, ca, ['localhost', 'new.example.com'], now), 'it does not name new.example.com');
  const nearEnd = new Date(now.getTime() + (SERVER_DAYS - RENEW_DAYS + 1) * DAY);
  t.regex(renewalReason(server, ca, ['localhost'], nearEnd) ?? '', /^it expires on \d{4}-\d\d-\d\d$/);
  const stillFine = new Date(now.getTime() + (SERVER_DAYS - RENEW_DAYS - 1) * DAY);
  t.is(renewalReason(server, ca, ['localhost'], stillFine), undefined);
  t.is(renewalReason(server, ca, ['localhost'], new Date(now.getTime() + (SERVER_DAYS + 1) * DAY)), 'it has expired');
  t.is(renewalReason(server, makeCa({ commonName: 'CA' }), ['localhost'], now), 'it is not signed by the CA');
  const other = makeServerCertificate({ ca, names: ['localhost'], now });
  t.is(renewalReason({ cert: server.cert, key: other.key }, ca, ['localhost'], now), 'its key does not match it');
  t.is(renewalReason({ cert: 'garbage', key: server.key }, ca, ['localhost'], now), 'it cannot be read');
});

test('a server certificate never outlives its CA', (t) => {
  const ca = makeCa({ commonName: 'short CA', days: 10 });
  const cert = new X509Certificate(makeServerCertificate({ ca, names: ['localhost'] }).cert);
  t.true(cert.validToDate.getTime() <= new X509Certificate(ca.cert).validToDate.getTime());
});
