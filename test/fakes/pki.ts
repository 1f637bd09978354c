// Throwaway certificates made with the openssl CLI: a CA, server certificates signed
// by it (SAN localhost + 127.0.0.1), client certificates, and a self-signed signing
// certificate for registry tokens.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface Pki {
  dir: string;
  ca: Pem;
  /** A certificate for localhost / 127.0.0.1 (and extra IP addresses and DNS names) signed by the CA, usable by a server. */
  server(name?: string, ips?: readonly string[], dns?: readonly string[]): Pem;
  /** A client certificate signed by the CA. */
  client(name?: string): Pem;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function load(dir: string, name: string): Pem {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

/** A self-signed certificate (RSA 2048), e.g. for signing tokens: the registry trusts the certificate itself. */
export function selfSigned(dir: string, name: string, subject = `/CN=${name}`): Pem {
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', subject, '-keyout', `${name}-key.pem`, '-out', `${name}.pem`],
    dir,
  );
  return load(dir, name);
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-pki-'));
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=jindr test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      'ca-key.pem',
      '-out',
      'ca.pem',
    ],
    dir,
  );
  const ca = load(dir, 'ca');
  const issue = (name: string, extensions: string): Pem => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`], dir);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca-key.pem',
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.pem`,
      ],
      dir,
    );
    return load(dir, name);
  };
  return {
    dir,
    ca,
    server: (name = 'server', ips = [], dns = []) =>
      issue(
        name,
        `subjectAltName=DNS:localhost,IP:127.0.0.1${ips.map((ip) => `,IP:${ip}`).join('')}${dns.map((d) => `,DNS:${d}`).join('')}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`,
      ),
    client: (name = 'client') => issue(name, 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
