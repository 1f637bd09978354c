// ssh:// engines as the Docker CLI reaches them (docker/cli cli/connhelper/ssh and
// connhelper.go): the user's own ssh binary runs `docker system dial-stdio` on the host, and
// the Docker API is spoken over its stdin and stdout. So ~/.ssh/config (Host aliases,
// ProxyJump, IdentityFile), the agent and known_hosts all apply, as they do for `docker`.
import { UsageError } from '../errors.ts';

export interface SshTarget {
  /** As written in the URL: a name, an address or a Host alias of ~/.ssh/config. */
  host: string;
  user?: string;
  port?: string;
  /** The engine's socket on the remote host, when the URL names one (ssh://host/run/docker.sock). */
  socket?: string;
}

/** The ssh URL without its password, if it has one: for messages. */
function shown(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = '';
  return copy.href;
}

/** ssh://[USER@]HOST[:PORT][/SOCKET] as docker/cli's ssh.ParseURL reads it. */
export function parseSshHost(value: string): SshTarget {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`invalid ssh Docker host "${value}": use ssh://[USER@]HOST[:PORT]`);
  }
  const invalid = (why: string): UsageError => new UsageError(`invalid ssh Docker host "${shown(url)}": ${why}`);
  if (url.protocol !== 'ssh:') throw invalid('use ssh://[USER@]HOST[:PORT]');
  // Never put in a message or on the ssh command line: ssh asks, or a key or the agent answers.
  if (url.password !== '') throw invalid('a password in the URL is not supported: use a key (ssh-agent or IdentityFile in ~/.ssh/config)');
  if (url.search !== '') throw invalid('query parameters are not allowed');
  if (url.hash !== '') throw invalid('fragments are not allowed');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw invalid('the host name is empty');
  const decode = (part: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw invalid(`"${part}" is not valid percent-encoding`);
    }
  };
  const user = decode(url.username);
  const socket = decode(url.pathname);
  // ssh takes them as arguments, not through a shell; a control character is a typing error.
  if (/[\0-\x1f\x7f]/.test(host + user + socket)) throw invalid('it has a control character');
  const target: SshTarget = { host };
  if (user !== '') target.user = user;
  if (url.port !== '') target.port = url.port;
  if (socket.replace(/\//g, '') !== '') target.socket = socket;
  return target;
}

/** Quotes a word for the remote POSIX shell ssh runs the command with. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The arguments of `ssh` as docker/cli gives them: -l USER, -p PORT, a connect timeout of
 * 30 s, no terminal, then the host and `docker system dial-stdio` (with --host when the
 * URL names the remote socket). Everything else comes from the user's ssh configuration.
 */
export function sshArgs(target: SshTarget): string[] {
  const args = [...loginArgs(target), '-T', '--', target.host];
  const command = ['docker', ...(target.socket === undefined ? [] : [`--host=unix://${target.socket}`]), 'system', 'dial-stdio'];
  args.push(command.map(shellWord).join(' '));
  return args;
}

/** -l USER, -p PORT and the connect timeout, as docker/cli gives them. */
function loginArgs(target: SshTarget): string[] {
  const args: string[] = [];
  if (target.user !== undefined) args.push('-l', target.user);
  if (target.port !== undefined) args.push('-p', target.port);
  args.push('-o', 'ConnectTimeout=30');
  return args;
}

/**
 * The arguments of an ssh that only forwards: the local Unix socket `socket` to
 * 127.0.0.1:remotePort on the host (no command, no terminal), failing when it cannot.
 */
export function sshForwardArgs(target: SshTarget, socket: string, remotePort: number): string[] {
  return [...loginArgs(target), '-o', 'ExitOnForwardFailure=yes', '-N', '-T', '-L', `${socket}:127.0.0.1:${remotePort}`, '--', target.host];
}
