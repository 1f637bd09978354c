// Certificates for `start --tls`: a CA of the registry's own and a server certificate it
// signs (ECDSA P-256, SHA-256), made with Node's crypto alone. Node makes keys and
// signatures and reads certificates (X509Certificate) but does not write them: the
// certificate's DER is put together here (der.ts).
import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import {
  bitString,
  boolean,
  elements,
  explicit,
  implicit,
  integer,
  namedBits,
  octetString,
  oid,
  sequence,
  set,
  time,
  utf8String,
} from './der.ts';

export interface KeyPair {
  /** PEM */
  cert: string;
  /** PEM, PKCS #8 */
  key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The CA outlives many server certificates: other machines keep trusting it across renewals. */
export const CA_DAYS = 3650;
export const SERVER_DAYS = 365;
/** A certificate with fewer days left is renewed at the next start or restart. */
export const RENEW_DAYS = 30;

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

const signatureAlgorithm = (): Buffer => sequence(oid(OID.ecdsaWithSha256));

function name(commonName: string): Buffer {
  return sequence(
    set(sequence(oid(OID.organization), utf8String('docker-jindr'))),
    set(sequence(oid(OID.commonName), utf8String(commonName))),
  );
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** RFC 5280's key identifier: SHA-1 of the public key's bits (the EC point). */
function keyIdentifier(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
  return createHash('sha1').update(point).digest();
}

/** An IPv4 or IPv6 address as the 4 or 16 bytes a certificate holds. */
export function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  if (isIP(address) !== 6) throw new Error(`not an IP address: ${address}`);
  let text = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = ipBytes(v4[1]!);
    text = text.slice(0, -v4[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined): string[] => (s ? s.split(':') : []);
  const front = groups(head);
  const back = groups(tail);
  const all = tail === undefined ? front : [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function generalName(value: string): Buffer {
  return isIP(value) ? implicit(7, ipBytes(value)) : implicit(2, Buffer.from(value, 'ascii'));
}

function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01; // positive, and never a shorter number
  return bytes;
}

interface Issue {
  subject: Buffer;
  publicKey: KeyObject;
  /** The issuer's subject as it encodes it (its certificates' issuer must match byte for byte). */
  issuer: { name: Buffer; key: KeyObject };
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
}

function issue(spec: Issue): string {
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  const tbs = sequence(
    explicit(0, integer(2)), // v3
    integer(serialNumber()),
    signatureAlgorithm(),
    spec.issuer.name,
    sequence(time(spec.notBefore), time(spec.notAfter)),
    spec.subject,
    spki,
    explicit(3, sequence(...spec.extensions)),
  );
  const signature = sign('sha256', tbs, spec.issuer.key); // DER ECDSA-Sig-Value, as X.509 wants
  const der = sequence(tbs, signatureAlgorithm(), bitString(signature));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Back-dated a little: a machine whose clock is slightly behind still accepts it. */
const start = (now: Date): Date => new Date(now.getTime() - 5 * 60 * 1000);

export function makeCa(options: { commonName: string; now?: Date; days?: number }): KeyPair {
  const now = options.now ?? new Date();
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyId = keyIdentifier(publicKey);
  const cert = issue({
    subject: name(options.commonName),
    publicKey,
    issuer: { name: name(options.commonName), key: privateKey },
    notBefore: start(now),
    notAfter: new Date(now.getTime() + (options.days ?? CA_DAYS) * DAY_MS),
    extensions: [
      extension(OID.basicConstraints, true, sequence(boolean(true), integer(0))),
      extension(OID.keyUsage, true, namedBits([0, 5, 6])), // digitalSignature, keyCertSign, cRLSign
      extension(OID.subjectKeyIdentifier, false, octetString(keyId)),
    ],
  });
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** A server certificate for names (DNS names and IP addresses), signed by ca. */
export function makeServerCertificate(options: { ca: KeyPair; names: readonly string[]; now?: Date; days?: number }): KeyPair {
  const now = options.now ?? new Date();
  const ca = new X509Certificate(options.ca.cert);
  const caKey = createPrivateKey(options.ca.key);
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // Never valid for longer than the CA that vouches for it.
  const notAfter = Math.min(now.getTime() + (options.days ?? SERVER_DAYS) * DAY_MS, ca.validToDate.getTime());
  const cert = issue({
    subject: name(options.names[0] ?? 'docker-jindr registry'),
    publicKey,
    issuer: { name: subjectOf(ca), key: caKey },
    notBefore: start(now),
    notAfter: new Date(notAfter),
    extensions: [
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.keyUsage, true, namedBits([0])), // digitalSignature (ECDHE key exchange)
      extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, sequence(...options.names.map(generalName))),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(publicKey))),
      extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, keyIdentifier(ca.publicKey)))),
    ],
  });
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** The subject Name of a certificate, as encoded in it: Certificate > TBSCertificate > subject. */
function subjectOf(cert: X509Certificate): Buffer {
  const tbs = elements(cert.raw)[0]!;
  const fields = elements(tbs);
  // version [0] is there in v3 certificates: then the subject is the sixth field, else the fifth.
  return fields[fields[0]![0] === 0xa0 ? 5 : 4]!;
}

/** Does the certificate cover name (a DNS name or an IP address)? */
export function covers(cert: X509Certificate, name: string): boolean {
  return isIP(name) ? cert.checkIP(name) !== undefined : cert.checkHost(name, { subject: 'never' }) !== undefined;
}

/**
 * Why the server certificate must be made again, or undefined when it can stay: missing
 * names, fewer than RENEW_DAYS left, not (yet) valid, not signed by ca, key not its own.
 */
export function renewalReason(server: KeyPair | undefined, ca: KeyPair, names: readonly string[], now = new Date()): string | undefined {
  if (!server) return 'there is none';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(server.cert);
    if (!cert.checkPrivateKey(createPrivateKey(server.key))) return 'its key does not match it';
  } catch {
    return 'it cannot be read';
  }
  const caCert = new X509Certificate(ca.cert);
  if (!cert.checkIssued(caCert) || !cert.verify(caCert.publicKey)) return 'it is not signed by the CA';
  if (cert.validFromDate.getTime() > now.getTime()) return 'it is not valid yet';
  const left = cert.validToDate.getTime() - now.getTime();
  if (left < RENEW_DAYS * DAY_MS) return left <= 0 ? 'it has expired' : `it expires on ${cert.validToDate.toISOString().slice(0, 10)}`;
  const missing = names.filter((n) => !covers(cert, n));
  if (missing.length > 0) return `it does not name ${missing.join(', ')}`;
  return undefined;
}

/** The names a certificate was made for (DNS: and IP Address: entries), as Node shows them. */
export function certificateNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .map((entry) => /^(?:DNS|IP Address):(.*)$/.exec(entry)?.[1])
    .filter((v): v is string => v !== undefined && v !== '');
}

/** Days until the certificate expires (negative once it has). */
export function daysLeft(cert: X509Certificate, now = new Date()): number {
  return Math.floor((cert.validToDate.getTime() - now.getTime()) / DAY_MS);
}

export function fingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}
