// process-main.ts: a command whose event loop empties before main has finished ends with exit code 1
// and one line, never with 0 and nothing (as `info` over ssh once did: a request waited for a
// connection that nothing would make). The stall is made by test/fakes/stalled-engine.mjs.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../src/cli/bin.ts');
const STALL = resolve(import.meta.dirname, '../fakes/stalled-engine.mjs');

test('nothing left to wait for before the command finished: exit 1 and one line, not exit 0 and silence', (t) => {
  const result = spawnSync(process.execPath, ['--import', STALL, BIN, 'info', '--format', 'json'], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: 'unix:///run/jindr-test-nothing-here.sock', DOCKER_CONTEXT: '' },
    timeout: 60_000,
  });
  t.is(result.error, undefined);
  t.is(result.stdout, '');
  t.is(
    result.stderr,
    'docker-jindr: internal error: the command stopped before it finished, with nothing left to wait for; run it again with --debug and report it\n',
  );
  t.is(result.status, 1);
});
