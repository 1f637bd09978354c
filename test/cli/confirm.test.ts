// prune's question, as docker image prune asks it; no terminal and no -f: refused.
import test from 'ava';
import { PassThrough } from 'node:stream';
import { confirm } from '../../src/cli/confirm.ts';
import type { Context } from '../../src/cli/context.ts';
import { InterruptedError, UsageError } from '../../src/errors.ts';

function context(input: (PassThrough & { isTTY?: boolean }) | undefined, signal = new AbortController().signal) {
  let stderr = '';
  const ctx = { stdin: input, signal, stderr: { write: (s: string) => (stderr += s) } } as unknown as Context;
  return { ctx, stderr: () => stderr };
}

function terminal(answer?: string): PassThrough & { isTTY: boolean } {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  if (answer !== undefined) input.write(answer);
  return input;
}

for (const [answer, expected] of [
  ['y\n', true],
  ['Y\n', true],
  ['yes\n', true],
  [' y \n', true],
  ['\n', false],
  ['n\n', false],
  ['no\n', false],
  ['yy\n', false],
] as const) {
  test(`answer ${JSON.stringify(answer)} -> ${expected}`, async (t) => {
    const { ctx, stderr } = context(terminal(answer));
    t.is(await confirm(ctx, 'WARNING! This will remove 2 tags', 'prune'), expected);
    t.is(stderr(), 'WARNING! This will remove 2 tags\nAre you sure you want to continue? [y/N] ');
  });
}

test('end of input without an answer is no', async (t) => {
  const input = terminal();
  input.end();
  t.false(await confirm(context(input).ctx, 'WARNING!', 'prune'));
});

test('no terminal: refused in one line that names -f/--force, without asking', async (t) => {
  for (const input of [undefined, Object.assign(new PassThrough(), { isTTY: false })]) {
    const { ctx, stderr } = context(input);
    const err = await t.throwsAsync(confirm(ctx, 'WARNING!', 'prune'), { instanceOf: UsageError });
    t.regex(err.message, /^prune asks before removing anything and there is no terminal to ask on: add -f\/--force/);
    t.false(err.message.includes('\n'));
    t.is(stderr(), '');
  }
});

test('Ctrl-C while asking: interrupted', async (t) => {
  const controller = new AbortController();
  const pending = confirm(context(terminal(), controller.signal).ctx, 'WARNING!', 'prune');
  controller.abort();
  await t.throwsAsync(pending, { instanceOf: InterruptedError });
});
