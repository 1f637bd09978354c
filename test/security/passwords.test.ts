// Passwords for start --auth: one line per user on stdin, or asked on a terminal without echo.
import test from 'ava';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { passwordsFromStdin, promptPasswords, readHidden, readPasswords, type PasswordInput } from '../../src/security/passwords.ts';
import { InterruptedError, UsageError } from '../../src/errors.ts';

const stdin = (text: string): PasswordInput => Readable.from([Buffer.from(text)]);

test('--password-stdin: one line per user in order; CRLF and a final newline are fine', async (t) => {
  t.deepEqual(await passwordsFromStdin(stdin('one\ntwo\n'), ['a', 'b']), ['one', 'two']);
  t.deepEqual(await passwordsFromStdin(stdin('one\r\ntwo'), ['a', 'b']), ['one', 'two']);
  t.deepEqual(await passwordsFromStdin(stdin(' spaced pw \n\n'), ['a']), [' spaced pw ']);
});

test('--password-stdin: the wrong number of lines, or an empty password, is one line naming what was expected', async (t) => {
  const few = await t.throwsAsync(passwordsFromStdin(stdin('one\n'), ['a', 'b']), { instanceOf: UsageError });
  t.is(few.message, '--password-stdin: expected 2 lines, one password per --auth user in order, got 1 line');
  const many = await t.throwsAsync(passwordsFromStdin(stdin('one\ntwo\n'), ['a']), { instanceOf: UsageError });
  t.is(many.message, '--password-stdin: expected one line (the password), got 2 lines');
  t.false(many.message.includes('one') && many.message.includes('two\n'));
  await t.throwsAsync(passwordsFromStdin(stdin(''), ['a']), { message: '--password-stdin: expected one line (the password), got 0 lines' });
  await t.throwsAsync(passwordsFromStdin(stdin('pw\n\nx\n'), ['a', 'b', 'c']), { message: 'the password for b is empty' });
});

test('--password-stdin: an empty line is an empty password, said so (not "got 0 lines")', async (t) => {
  for (const text of ['\n', '\r\n', '\n\n']) {
    await t.throwsAsync(
      passwordsFromStdin(stdin(text), ['alice']),
      { instanceOf: UsageError, message: 'the password for alice is empty' },
      JSON.stringify(text),
    );
  }
  await t.throwsAsync(passwordsFromStdin(stdin('one\n\n'), ['a', 'b']), { instanceOf: UsageError, message: 'the password for b is empty' });
  // Blank lines after every user has a password are still just the end of the input.
  t.deepEqual(await passwordsFromStdin(stdin('one\ntwo\n\n\n'), ['a', 'b']), ['one', 'two']);
});

/** A terminal: keys typed arrive as data; what is written back is recorded. */
class FakeTty extends EventEmitter {
  readonly isTTY = true;
  raw = false;
  setRawMode(raw: boolean): this {
    this.raw = raw;
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  type(keys: string): void {
    setImmediate(() => this.emit('data', Buffer.from(keys)));
  }
}

function output(): { text: string; write(s: string): boolean } {
  return {
    text: '',
    write(s: string) {
      this.text += s;
      return true;
    },
  };
}

test('asked on a terminal: raw mode, nothing echoed, backspace and Ctrl-U edit, raw mode restored', async (t) => {
  const tty = new FakeTty();
  const out = output();
  const answer = readHidden(tty, out, 'Password for alice: ');
  t.true(tty.raw);
  tty.type('sekX\u007fret\r');
  t.is(await answer, 'sekret');
  t.false(tty.raw);
  t.is(out.text, 'Password for alice: \n');
  const again = readHidden(tty, out, '> ');
  tty.type('wrong\u0015right\n');
  t.is(await again, 'right');
  t.is(tty.listenerCount('data'), 0);
});

test('asked on a terminal: Ctrl-C interrupts, Ctrl-D on an empty line ends', async (t) => {
  const tty = new FakeTty();
  const interrupted = readHidden(tty, output(), 'pw: ');
  tty.type('abc\u0003');
  await t.throwsAsync(interrupted, { instanceOf: InterruptedError });
  t.false(tty.raw);
  const ended = readHidden(tty, output(), 'pw: ');
  tty.type('\u0004');
  await t.throwsAsync(ended, { instanceOf: UsageError, message: 'no password given' });
});

test('asked twice per user; a mismatch asks again', async (t) => {
  const tty = new FakeTty();
  const out = output();
  const keys = ['a1\r', 'a1\r', 'b1\r', 'typo\r', 'b1\r', 'b1\r'];
  tty.on('newListener', (event: string) => {
    if (event === 'data') tty.type(keys.shift() ?? '\u0003');
  });
  t.deepEqual(await promptPasswords(tty, out, ['alice', 'bob']), ['a1', 'b1']);
  t.is(
    out.text,
    'Password for alice: \nPassword for alice again: \nPassword for bob: \nPassword for bob again: \nThe passwords did not match; try again.\nPassword for bob: \nPassword for bob again: \n',
  );
  t.false(out.text.includes('a1') || out.text.includes('b1'));
});

test('no terminal and no --password-stdin: one line saying to use --password-stdin', async (t) => {
  const err = await t.throwsAsync(readPasswords(stdin('pw\n'), output(), ['alice'], false), { instanceOf: UsageError });
  t.is(
    err.message,
    '--auth needs passwords and there is no terminal to ask on: give them with --password-stdin (one line per user, in order)',
  );
  await t.throwsAsync(readPasswords(undefined, output(), ['alice'], false), { instanceOf: UsageError });
  t.deepEqual(await readPasswords(stdin('pw\n'), output(), ['alice'], true), ['pw']);
});
