// The registry's TLS files in <data>/tls: a CA and a server certificate made for it
// (ca.crt, server.crt, server.key), or one's own (own.crt, own.key from --cert/--key). The
// CA's key, which no container needs, is kept out of the data directory (the registry's
// storage, which its container and gc's helpers can read and rewrite), in a directory the
// caller names (the user's secrets); one found in <data>/tls is moved there.
// Made once and reused; the server certificate is made again, by the same CA, when it nears
// its end or lacks a name, so machines that trust the CA never need to be told.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { RENEW_DAYS, certificateNames, daysLeft, ipBytes, makeCa, makeServerCertificate, renewalReason, type KeyPair } from './x509.ts';

export const TLS_DIR = 'tls';
export const GENERATED = { cert: 'server.crt', key: 'server.key' } as const;
export const OWN = { cert: 'own.crt', key: 'own.key' } as const;
export const CA_CERT = 'ca.crt';
/** The root of one's own certificate, when the --cert file holds it. */
export const OWN_CA = 'own-ca.crt';
const CA_KEY = 'ca.key';

function readPair(dir: string, cert: string, key: string): KeyPair | undefined {
  try {
    return { cert: readFileSync(join(dir, cert), 'utf8'), key: readFileSync(join(dir, key), 'utf8') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Written beside and renamed into place: a registry (re)starting meanwhile never reads half a file. */
function writeAtomically(file: string, text: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, file);
}

function writePair(dir: string, names: { cert: string; key: string }, pair: KeyPair): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeAtomically(join(dir, names.key), pair.key, 0o600);
  writeAtomically(join(dir, names.cert), pair.cert, 0o644);
}

/** A key for comparing names: IP addresses by their bytes, DNS names without case. */
function nameKey(name: string): string {
  return isIP(name) ? `ip:${ipBytes(name).toString('hex')}` : `dns:${name.toLowerCase()}`;
}

export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const n of names) if (!seen.has(nameKey(n))) seen.set(nameKey(n), isIP(n) ? n : n.toLowerCase());
  return [...seen.values()];
}

/** The names every certificate we make carries, plus this machine's name when it can be one. */
export function defaultNames(host = hostname()): string[] {
  const names = ['localhost', '127.0.0.1', '::1'];
  const h = host.toLowerCase();
  if (/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(h) && h.length <= 253) names.push(h);
  return names;
}

/** --san NAME|IP: an IP address, or a DNS name (a leading *. for a wildcard). */
export function checkSan(value: string): string {
  const v = value.trim().replace(/^\[(.*)\]$/, '$1');
  if (isIP(v)) return v;
  const label = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
  if (new RegExp(`^(\\*\\.)?${label}(\\.${label})*$`, 'i').test(v) && v.length <= 253) return v.toLowerCase();
  throw new UsageError(`--san needs a DNS name or an IP address (got ${JSON.stringify(value)})`);
}

/** Where the CA's key goes: ca.key in keyDir, 0600 in a 0700 directory. Moved from the data directory if it is there. */
function readCa(dir: string, keyDir: string): KeyPair | undefined {
  const old = join(dir, CA_KEY);
  let cert: string;
  let key: string | undefined;
  try {
    cert = readFileSync(join(dir, CA_CERT), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  for (const file of [join(keyDir, CA_KEY), old]) {
    try {
      key = readFileSync(file, 'utf8');
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  if (key === undefined) return undefined;
  if (existsSync(old)) {
    writeCaKey(keyDir, key);
    rmSync(old, { force: true });
  }
  return { cert, key };
}

function writeCaKey(keyDir: string, key: string): void {
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  chmodSync(keyDir, 0o700);
  writeAtomically(join(keyDir, CA_KEY), key, 0o600);
}

export interface GeneratedTls {
  ca: KeyPair;
  server: KeyPair;
  /** Why the server certificate was made (new, renewed), or undefined when reused. */
  made: string | undefined;
  /** The CA was made now: whoever trusted the previous one must be given this one. */
  newCa: boolean;
}

/**
 * The CA and server certificate in <dataDir>/tls (the CA's key in caKeyDir), made or
 * renewed as needed. The server certificate names `names` and whatever names it had
 * before (names are only ever added).
 */
export function ensureGeneratedTls(files: { dataDir: string; caKeyDir: string }, names: readonly string[], now = new Date()): GeneratedTls {
  const dir = join(files.dataDir, TLS_DIR);
  let ca = readCa(dir, files.caKeyDir);
  let newCa = false;
  if (!ca || caUnusable(ca, now)) {
    ca = makeCa({ commonName: `docker-jindr CA ${hostname()} ${now.toISOString().slice(0, 19)}Z`, now });
    // The key first: a certificate with no key beside it would be replaced at the next start.
    writeCaKey(files.caKeyDir, ca.key);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeAtomically(join(dir, CA_CERT), ca.cert, 0o644);
    rmSync(join(dir, CA_KEY), { force: true });
    newCa = true;
  }
  const server = readPair(dir, GENERATED.cert, GENERATED.key);
  const reason = renewalReason(server, ca, names, now);
  if (reason === undefined && server) return { ca, server, made: undefined, newCa };
  let before: string[] = [];
  try {
    if (server) before = certificateNames(new X509Certificate(server.cert));
  } catch {
    // unreadable: made afresh from the wanted names
  }
  const fresh = makeServerCertificate({ ca, names: uniqueNames([...names, ...before]), now });
  writePair(dir, GENERATED, fresh);
  return { ca, server: fresh, made: server ? reason : 'new', newCa };
}

/** A CA we cannot sign with, or that ends within RENEW_DAYS, is replaced. */
function caUnusable(ca: KeyPair, now: Date): boolean {
  try {
    const cert = new X509Certificate(ca.cert);
    return !cert.ca || !cert.checkPrivateKey(createPrivateKey(ca.key)) || daysLeft(cert, now) < RENEW_DAYS;
  } catch {
    return true;
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g;

export interface OwnCertificate {
  /** The certificate file's PEM (the server certificate first, then any chain). */
  cert: string;
  key: string;
  leaf: X509Certificate;
  /** A self-signed certificate in the file (the leaf itself, or the chain's root): what clients must trust. */
  root: string | undefined;
}

function readInput(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${option} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** --cert FILE --key FILE: PEM, the key belongs to the certificate, not expired. */
export function readOwnCertificate(certFile: string, keyFile: string, now = new Date()): OwnCertificate {
  const certText = readInput(certFile, '--cert');
  const keyText = readInput(keyFile, '--key');
  const blocks = certText.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new UsageError(`--cert ${certFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  let certs: X509Certificate[];
  try {
    certs = blocks.map((b) => new X509Certificate(b));
  } catch {
    throw new UsageError(`--cert ${certFile}: a certificate in it cannot be read`);
  }
  const leaf = certs[0]!;
  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(createPrivateKey(keyText));
  } catch {
    throw new UsageError(`--key ${keyFile} is not a PEM private key docker jindr can read (an encrypted key must be decrypted first)`);
  }
  if (!matches) throw new UsageError(`--key ${keyFile} is not the key of the certificate in --cert ${certFile}`);
  if (daysLeft(leaf, now) < 0) throw new UsageError(`--cert ${certFile} expired on ${leaf.validToDate.toISOString().slice(0, 10)}`);
  const selfSigned = (c: X509Certificate): boolean => c.checkIssued(c) && c.verify(c.publicKey);
  const rootIndex = certs.findIndex(selfSigned);
  const normalized = blocks.map((b) => (b.endsWith('\n') ? b : `${b}\n`));
  return {
    cert: normalized.join(''),
    key: keyText.endsWith('\n') ? keyText : `${keyText}\n`,
    leaf,
    root: rootIndex >= 0 ? normalized[rootIndex] : undefined,
  };
}

/** Copies it into <data>/tls (own.crt, own.key), and its self-signed root, if it has one, as own-ca.crt. */
export function installOwnCertificate(dataDir: string, own: OwnCertificate): void {
  const dir = join(dataDir, TLS_DIR);
  writePair(dir, OWN, { cert: own.cert, key: own.key });
  if (own.root) writeAtomically(join(dir, OWN_CA), own.root, 0o644);
  else rmSync(join(dir, OWN_CA), { force: true });
}

/** The installed own certificate, if any (for expiry notices and the CA to trust). */
export function readInstalledOwn(dataDir: string): KeyPair | undefined {
  return readPair(join(dataDir, TLS_DIR), OWN.cert, OWN.key);
}
