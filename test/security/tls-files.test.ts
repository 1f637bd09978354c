// <data>/tls: made once, reused, renewed by the same CA when due or when a name is missing;
// a CA near its end replaced; one's own certificate checked and copied.
import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkSan,
  defaultNames,
  ensureGeneratedTls,
  installOwnCertificate,
  readOwnCertificate,
  uniqueNames,
} from '../../src/security/tls-files.ts';
import { CA_DAYS, SERVER_DAYS, makeCa, makeServerCertificate } from '../../src/security/x509.ts';
import { UsageError } from '../../src/errors.ts';
import { makePki } from '../fakes/pki.ts';

const DAY = 24 * 60 * 60 * 1000;

function dataDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

test('made once with modes 0600 for keys, then reused as they are', (t) => {
  const dir = dataDir(t);
  const first = ensureGeneratedTls({ dataDir: dir, caKeyDir: join(dir, 'keys') }, ['localhost', '127.0.0.1']);
  t.is(first.made, 'new');
  t.true(first.newCa);
  for (const [file, mode] of [
    ['server.key', 0o600],
    ['ca.crt', 0o644],
    ['server.crt', 0o644],
  ] as const) {
    t.is(statSync(join(dir, 'tls', file)).mode & 0o777, mode, file);
  }
  t.is(statSync(join(dir, 'tls')).mode & 0o777, 0o700);
  t.false(existsSync(join(dir, 'tls', 'ca.key')), "the CA's key is not in the data directory");
  t.is(statSync(join(dir, 'keys', 'ca.key')).mode & 0o777, 0o600);
  t.is(statSync(join(dir, 'keys')).mode & 0o777, 0o700);
  const again = ensureGeneratedTls({ dataDir: dir, caKeyDir: join(dir, 'keys') }, ['localhost', '127.0.0.1']);
  t.is(again.made, undefined);
  t.false(again.newCa);
  t.is(fingerprint(again.server.cert), fingerprint(first.server.cert));
  t.is(readFileSync(join(dir, 'tls', 'server.crt'), 'utf8'), first.server.cert);
});

test('a CA key left in the data directory by an earlier version is moved to the key directory, and the CA kept', (t) => {
  const dir = dataDir(t);
  const keys = join(dir, 'keys');
  const first = ensureGeneratedTls({ dataDir: dir, caKeyDir: keys }, ['localhost']);
  renameSync(join(keys, 'ca.key'), join(dir, 'tls', 'ca.key'));
  rmSync(keys, { recursive: true });
  const again = ensureGeneratedTls({ dataDir: dir, caKeyDir: keys }, ['localhost']);
  t.false(again.newCa, 'the same CA');
  t.is(again.made, undefined);
  t.is(fingerprint(again.ca.cert), fingerprint(first.ca.cert));
  t.false(existsSync(join(dir, 'tls', 'ca.key')));
  t.is(readFileSync(join(keys, 'ca.key'), 'utf8'), first.ca.key);
  t.is(statSync(join(keys, 'ca.key')).mode & 0o777, 0o600);
  t.is(statSync(keys).mode & 0o777, 0o700);
});

test('renewed by the same CA near its end, and for a new name (keeping the old names)', (t) => {
  const dir = dataDir(t);
  const now = new Date();
  const first = ensureGeneratedTls({ dataDir: dir, caKeyDir: join(dir, 'keys') }, ['localhost', 'old.example.com'], now);
  const later = new Date(now.getTime() + (SERVER_DAYS - 10) * DAY);
  const renewed = ensureGeneratedTls({ dataDir: dir, caKeyDir: join(dir, 'keys') }, ['localhost'], later);
  t.regex(renewed.made ?? '', /^it expires on /);
  t.false(renewed.newCa);
  t.is(fingerprint(renewed.ca.cert), fingerprint(first.ca.cert));
  t.not(fingerprint(renewed.server.cert), fingerprint(first.server.cert));
  const cert = new X509Certificate(readFileSync(join(dir, 'tls', 'server.crt'), 'utf8'));
  t.true(cert.checkIssued(new X509Certificate(first.ca.cert)));
  t.true(cert.validToDate.getTime() > later.getTime() + 300 * DAY);
  t.truthy(cert.checkHost('old.example.com'), 'names are only ever added');

  const named = ensureGeneratedTls({ dataDir: dir, caKeyDir: join(dir, 'keys') }, ['localhost', 'new.example.com'], later);
  t.is(named.made, 'it does not name new.example.com');
  const now2 = new X509Certificate(named.server.cert);
  t.truthy(now2.checkHost('new.example.com'));
  t.truthy(now2.checkHost('old.example.com'));
});

test('a CA near its end is replaced, and the server certificate with it', (t) => {
  const dir = dataDir(t);
  const now = new Date();
  const first = ensureGeneratedTls({ dataDir: dir, caKeyDir: join(dir, 'keys') }, ['localhost'], now);
  const late = new Date(now.getTime() + (CA_DAYS - 5) * DAY);
  const next = ensureGeneratedTls({ dataDir: dir, caKeyDir: join(dir, 'keys') }, ['localhost'], late);
  t.true(next.newCa);
  t.not(fingerprint(next.ca.cert), fingerprint(first.ca.cert));
  t.is(next.made, 'it is not signed by the CA');
  t.true(new X509Certificate(next.server.cert).checkIssued(new X509Certificate(next.ca.cert)));
});

test('a damaged server key is replaced', (t) => {
  const dir = dataDir(t);
  ensureGeneratedTls({ dataDir: dir, caKeyDir: join(dir, 'keys') }, ['localhost']);
  writeFileSync(join(dir, 'tls', 'server.key'), 'not a key');
  t.is(ensureGeneratedTls({ dataDir: dir, caKeyDir: join(dir, 'keys') }, ['localhost']).made, 'it cannot be read');
});

test('names: defaults, this host, --san checks, duplicates by meaning', (t) => {
  t.deepEqual(defaultNames('Build-Host.local'), ['localhost', '127.0.0.1', '::1', 'build-host.local']);
  t.deepEqual(defaultNames('bad host!'), ['localhost', '127.0.0.1', '::1']);
  t.is(checkSan('Registry.Example.COM'), 'registry.example.com');
  t.is(checkSan('*.example.com'), '*.example.com');
  t.is(checkSan('[fe80::1]'), 'fe80::1');
  t.is(checkSan('10.0.0.5'), '10.0.0.5');
  for (const bad of ['', 'a b', 'http://x', 'x..y', '-x.com', 'x_y.com']) t.throws(() => checkSan(bad), { instanceOf: UsageError }, bad);
  t.deepEqual(uniqueNames(['localhost', 'LOCALHOST', '::1', '0:0:0:0:0:0:0:1', '127.0.0.1']), ['localhost', '::1', '127.0.0.1']);
});

test('--cert/--key: key must match, PEM, not expired; a self-signed root in the chain is what clients trust', (t) => {
  const dir = dataDir(t);
  const pki = makePki();
  t.teardown(() => pki.cleanup());
  const server = pki.server('own');
  const chain = join(dir, 'chain.pem');
  writeFileSync(chain, server.cert + pki.ca.cert);
  const own = readOwnCertificate(chain, server.keyFile);
  const caPem = pki.ca.cert.endsWith('\n') ? pki.ca.cert : `${pki.ca.cert}\n`;
  t.is(own.root, caPem);
  installOwnCertificate(dir, own);
  t.is(readFileSync(join(dir, 'tls', 'own.crt'), 'utf8'), own.cert);
  t.is(statSync(join(dir, 'tls', 'own.key')).mode & 0o777, 0o600);
  t.is(readFileSync(join(dir, 'tls', 'own-ca.crt'), 'utf8'), caPem);

  const alone = readOwnCertificate(server.certFile, server.keyFile);
  t.is(alone.root, undefined, 'issued by a CA not in the file');
  installOwnCertificate(dir, alone);
  t.false(existsSync(join(dir, 'tls', 'own-ca.crt')));

  const other = pki.server('other');
  const mismatch = t.throws(() => readOwnCertificate(server.certFile, other.keyFile), { instanceOf: UsageError });
  t.is(mismatch.message, `--key ${other.keyFile} is not the key of the certificate in --cert ${server.certFile}`);
  t.throws(() => readOwnCertificate(server.keyFile, server.keyFile), { instanceOf: UsageError, message: /holds no PEM certificate/ });
  t.throws(() => readOwnCertificate(server.certFile, server.certFile), { instanceOf: UsageError, message: /is not a PEM private key/ });
  t.throws(() => readOwnCertificate(join(dir, 'missing.pem'), server.keyFile), {
    instanceOf: UsageError,
    message: /cannot read it \(ENOENT\)/,
  });

  const ca = makeCa({ commonName: 'old' });
  const expired = makeServerCertificate({ ca, names: ['localhost'], now: new Date(Date.now() - 400 * DAY), days: 30 });
  writeFileSync(join(dir, 'old.crt'), expired.cert);
  writeFileSync(join(dir, 'old.key'), expired.key);
  t.throws(() => readOwnCertificate(join(dir, 'old.crt'), join(dir, 'old.key')), { instanceOf: UsageError, message: /expired on/ });
});
