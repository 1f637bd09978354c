// The registry's htpasswd file (its `auth: htpasswd`): one `user:bcrypt-hash` line per user.
// `start --auth USER` adds USER or changes USER's password; users not named stay.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.ts';

/**
 * bcrypt cost 5, what `htpasswd -B` makes by default. The registry checks the hash on every
 * request (it keeps no session): measured here with distribution 2.8, cost 5 answered about
 * 64 requests a second per user, cost 10 under 6, which makes a push or an `lsi` crawl.
 */
export const BCRYPT_COST = 5;

/** bcrypt reads only the first 72 bytes of a password: longer ones would be cut silently. */
const MAX_PASSWORD_BYTES = 72;

export interface User {
  name: string;
  password: string;
}

/** A user name htpasswd can hold: no colon, no white space or control characters. */
export function checkUserName(name: string): void {
  if (name === '' || name.length > 255 || /[:\s\p{Cc}]/u.test(name)) {
    throw new UsageError(
      `--auth needs a user name without ':', spaces or control characters, at most 255 characters (got ${JSON.stringify(name.slice(0, 40))})`,
    );
  }
}

export function checkPassword(user: string, password: string): void {
  if (password === '') throw new UsageError(`the password for ${user} is empty`);
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
    throw new UsageError(
      `the password for ${user} is longer than ${MAX_PASSWORD_BYTES} bytes, which bcrypt cannot use: choose a shorter one`,
    );
  }
  if (/[\r\n\0]/.test(password)) throw new UsageError(`the password for ${user} contains a line break or NUL`);
}

/** Lines of an htpasswd file by user, in their order; lines that are not `user:hash` are kept as they are. */
export function parseHtpasswd(text: string): { user: string | undefined; line: string }[] {
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const colon = line.indexOf(':');
      return { user: colon > 0 && !line.startsWith('#') ? line.slice(0, colon) : undefined, line };
    });
}

/** The users in an htpasswd file (none when it does not exist). */
export function htpasswdUsers(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseHtpasswd(text).flatMap((l) => (l.user === undefined ? [] : [l.user]));
}

/**
 * Sets the users' passwords in file (created, mode 0600, if missing), keeping everyone
 * else. Written to a temporary file and renamed: the registry, which reads the file again
 * when it changes, never sees half of it. bcryptjs is loaded here only, when needed.
 */
export async function writeHtpasswd(file: string, users: readonly User[]): Promise<{ added: string[]; changed: string[] }> {
  const { default: bcrypt } = await import('bcryptjs');
  let existing = '';
  try {
    existing = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const lines = parseHtpasswd(existing);
  const added: string[] = [];
  const changed: string[] = [];
  for (const user of users) {
    // $2y$ is htpasswd's own prefix for the same algorithm; older Apache tools know only it and $2a$.
    const entry = `${user.name}:${bcrypt.hashSync(user.password, BCRYPT_COST).replace(/^\$2b\$/, '$2y$')}`;
    const at = lines.findIndex((l) => l.user === user.name);
    if (at >= 0) {
      lines[at] = { user: user.name, line: entry };
      changed.push(user.name);
    } else {
      lines.push({ user: user.name, line: entry });
      added.push(user.name);
    }
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, lines.map((l) => l.line).join('\n') + '\n', { mode: 0o600 });
  chmodSync(temporary, 0o600); // the mode option does not apply to a file that was there
  renameSync(temporary, file);
  return { added, changed };
}
