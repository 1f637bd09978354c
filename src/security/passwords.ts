// Passwords for `start --auth`: never from the command line (it shows in `ps` and in shell
// history). Either one line per user on stdin (--password-stdin), or asked on the terminal
// without echo, twice.
import { InterruptedError, UsageError } from '../errors.ts';
import { checkPassword } from './htpasswd.ts';

export interface PasswordInput {
  readonly isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeListener(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  removeListener(event: 'end' | 'close', listener: () => void): unknown;
  removeListener(event: 'error', listener: (err: Error) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface PromptOutput {
  write(text: string): unknown;
}

const MAX_STDIN_BYTES = 64 * 1024;

function readAll(input: PasswordInput): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer | string): void => {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += bytes.length;
      if (size > MAX_STDIN_BYTES) {
        done();
        reject(new UsageError('--password-stdin: more than 64 KiB on stdin; expected one password per line'));
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = (): void => {
      done();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error): void => {
      done();
      reject(new UsageError(`--password-stdin: cannot read stdin (${err.message})`));
    };
    const done = (): void => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      input.pause();
    };
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    input.resume();
  });
}

/**
 * --password-stdin: exactly one line per user, in the order of the --auth options. Blank
 * lines after the last password are ignored, unless a user is still without one: then
 * that user's password is empty, and the error says so.
 */
export async function passwordsFromStdin(input: PasswordInput, users: readonly string[]): Promise<string[]> {
  const text = await readAll(input);
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.at(-1) === '') lines.pop(); // the final newline
  let end = lines.length;
  while (end > users.length && lines[end - 1] === '') end -= 1; // blank lines after the passwords
  if (end !== users.length) {
    const want = users.length === 1 ? 'one line (the password)' : `${users.length} lines, one password per --auth user in order`;
    throw new UsageError(`--password-stdin: expected ${want}, got ${end} line${end === 1 ? '' : 's'}`);
  }
  const passwords = lines.slice(0, end);
  passwords.forEach((password, i) => checkPassword(users[i]!, password));
  return passwords;
}

/** Reads one line from a terminal in raw mode, echoing nothing. Ctrl-C interrupts, Ctrl-D on an empty line ends. */
export function readHidden(input: PasswordInput, output: PromptOutput, question: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed = '';
    // No echo before the prompt shows: keys typed as soon as it appears are not echoed either.
    input.setRawMode?.(true);
    output.write(question);
    const finish = (error: Error | undefined): void => {
      input.removeListener('data', onData);
      signal?.removeEventListener('abort', onAbort);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onAbort = (): void => finish(new InterruptedError());
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish(undefined);
        if (ch === '\u0003') return finish(new InterruptedError());
        if (ch === '\u0004') {
          if (typed === '') return finish(new UsageError('no password given'));
          continue;
        }
        if (ch === '\u007f' || ch === '\b') {
          typed = [...typed].slice(0, -1).join('');
          continue;
        }
        if (ch === '\u0015') {
          // Ctrl-U: start the line again
          typed = '';
          continue;
        }
        if (ch < ' ') continue; // other control characters (arrow keys' escapes start with one)
        typed += ch;
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    input.on('data', onData);
    input.resume();
  });
}

/** Asks for each user's password on the terminal, twice, until both agree (three tries). */
export async function promptPasswords(
  input: PasswordInput,
  output: PromptOutput,
  users: readonly string[],
  signal?: AbortSignal,
): Promise<string[]> {
  const passwords: string[] = [];
  for (const user of users) {
    for (let attempt = 1; ; attempt++) {
      const first = await readHidden(input, output, `Password for ${user}: `, signal);
      checkPassword(user, first);
      const again = await readHidden(input, output, `Password for ${user} again: `, signal);
      if (first === again) {
        passwords.push(first);
        break;
      }
      if (attempt === 3) throw new UsageError(`the passwords for ${user} did not match`);
      output.write('The passwords did not match; try again.\n');
    }
  }
  return passwords;
}

/** The passwords for users: from stdin with --password-stdin, else asked on the terminal. */
export async function readPasswords(
  input: PasswordInput | undefined,
  output: PromptOutput,
  users: readonly string[],
  fromStdin: boolean,
  signal?: AbortSignal,
): Promise<string[]> {
  if (fromStdin) {
    if (!input) throw new UsageError('--password-stdin: no stdin to read from');
    return passwordsFromStdin(input, users);
  }
  if (!input?.isTTY || !input.setRawMode) {
    throw new UsageError(
      '--auth needs passwords and there is no terminal to ask on: give them with --password-stdin (one line per user, in order)',
    );
  }
  return promptPasswords(input, output, users, signal);
}
