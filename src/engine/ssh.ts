// ssh:// engines: dockerode (ssh2) runs `docker system dial-stdio` on the remote host, as the
// Docker CLI does with the ssh binary. ssh2 accepts any host key unless told otherwise, so
// the host key is checked against ~/.ssh/known_hosts, as ssh would.
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { ConnectConfig } from 'ssh2';
import { UsageError } from '../errors.ts';

export interface SshTarget {
  host: string;
  port: number;
  username: string;
}

export function parseSshHost(value: string, env: NodeJS.ProcessEnv): SshTarget {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`invalid ssh Docker host "${value}": use ssh://[USER@]HOST[:PORT]`);
  }
  if (url.pathname !== '' && url.pathname !== '/') {
    throw new UsageError(`invalid ssh Docker host "${value}": a path is not allowed`);
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 22,
    username: decodeURIComponent(url.username) || env.USER || userInfo().username,
  };
}

/** ssh2 options: the agent (SSH_AUTH_SOCK) or the first default key file, and a known_hosts check. */
export function sshConnectOptions(value: string, env: NodeJS.ProcessEnv): ConnectConfig & SshTarget {
  const target = parseSshHost(value, env);
  const sshDir = join(env.HOME || homedir(), '.ssh');
  const options: ConnectConfig & SshTarget = {
    ...target,
    hostVerifier: (key: Buffer) => knownHostKey(readKnownHosts(join(sshDir, 'known_hosts')), target.host, target.port, key),
  };
  if (env.SSH_AUTH_SOCK) options.agent = env.SSH_AUTH_SOCK;
  const keyFile = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(sshDir, f)).find((f) => existsSync(f));
  if (keyFile) options.privateKey = readFileSync(keyFile);
  return options;
}

function readKnownHosts(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Is key (the raw public key blob) listed for host:port in known_hosts text? */
export function knownHostKey(knownHosts: string, host: string, port: number, key: Buffer): boolean {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const blob = key.toString('base64');
  let accepted = false;
  for (const raw of knownHosts.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]!.startsWith('@') ? fields.shift() : undefined;
    const [patterns, , keyData] = fields;
    if (!patterns || !keyData || !hostMatches(patterns, name)) continue;
    if (marker === '@revoked' && keyData === blob) return false;
    if (marker === undefined && keyData === blob) accepted = true;
  }
  return accepted;
}

function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [salt, hash] = patterns.slice(3).split('|');
    if (!salt || !hash) return false;
    // (node:crypto on demand: importing this module must not cost a command its start-up time.)
    return process.getBuiltinModule('node:crypto').createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    const re = new RegExp('^' + glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
    if (re.test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}
