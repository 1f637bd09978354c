import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certsDirs, registryTls } from '../../src/docker/certs.ts';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-certs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("certs.d locations: Docker's, Podman's, rootless XDG, Docker Desktop's ~/.docker, JINDR_CERTS_D override", (t) => {
  t.deepEqual(certsDirs({}, 0), ['/etc/docker/certs.d', '/etc/containers/certs.d']);
  t.deepEqual(certsDirs({ HOME: '/home/u' }, 1000), [
    '/etc/docker/certs.d',
    '/home/u/.config/docker/certs.d',
    '/etc/containers/certs.d',
    '/home/u/.config/containers/certs.d',
    '/home/u/.docker/certs.d',
  ]);
  t.deepEqual(certsDirs({ HOME: '/home/u', XDG_CONFIG_HOME: '/x' }, 1000), [
    '/etc/docker/certs.d',
    '/x/docker/certs.d',
    '/etc/containers/certs.d',
    '/x/containers/certs.d',
    '/home/u/.docker/certs.d',
  ]);
  t.deepEqual(certsDirs({ JINDR_CERTS_D: '/a:/b' }, 0), ['/a', '/b']);
});

test('*.crt are CAs, *.cert + *.key a client pair, other files ignored', (t) => {
  const base = tempDir(t);
  const dir = join(base, 'reg.example:5443');
  mkdirSync(dir);
  writeFileSync(join(dir, 'ca.crt'), 'CA1');
  writeFileSync(join(dir, 'other.crt'), 'CA2');
  writeFileSync(join(dir, 'client.cert'), 'CERT');
  writeFileSync(join(dir, 'client.key'), 'KEY');
  writeFileSync(join(dir, 'README'), 'x');
  t.deepEqual(registryTls('reg.example:5443', [join(base, 'missing'), base]), { ca: ['CA1', 'CA2'], cert: 'CERT', key: 'KEY' });
  t.is(registryTls('reg.example', [base]), undefined);
  t.is(registryTls('../etc', [base]), undefined);
});

test('a client certificate without its key (or the reverse) is an error naming the file', (t) => {
  const base = tempDir(t);
  mkdirSync(join(base, 'a:1'));
  writeFileSync(join(base, 'a:1', 'client.cert'), 'CERT');
  const noKey = t.throws(() => registryTls('a:1', [base]));
  t.regex(noKey.message, /missing key .*a:1\/client\.key/);
  mkdirSync(join(base, 'b:1'));
  writeFileSync(join(base, 'b:1', 'client.key'), 'KEY');
  const noCert = t.throws(() => registryTls('b:1', [base]));
  t.regex(noCert.message, /missing client certificate .*b:1\/client\.cert/);
});
