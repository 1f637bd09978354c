// A credential helper that hangs: a real script on PATH whose child (`sleep`) keeps the
// pipes open. At the timeout the helper's whole process group is killed and the lookup
// fails at once, saying it timed out (JINDR_CREDENTIAL_HELPER_TIMEOUT_MS shortens the 30 s).
import test from 'ava';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execHelper, helperTimeoutMs } from '../../src/docker/credentials.ts';
import { AuthError } from '../../src/errors.ts';
import { processesWith } from '../helpers/processes.ts';
import { waitFor } from '../helpers/wait.ts';

test('helperTimeoutMs: 30 s unless JINDR_CREDENTIAL_HELPER_TIMEOUT_MS says otherwise', (t) => {
  t.is(helperTimeoutMs({}), 30_000);
  t.is(helperTimeoutMs({ JINDR_CREDENTIAL_HELPER_TIMEOUT_MS: '1500' }), 1500);
  for (const bad of ['', '0', '-5', 'soon']) t.is(helperTimeoutMs({ JINDR_CREDENTIAL_HELPER_TIMEOUT_MS: bad }), 30_000, bad);
});

test('a hanging helper and its child are killed at the timeout, and the lookup says it timed out', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-hang-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const marker = `100.${Math.floor(Math.random() * 1e6)}`;
  // The sleep is the script's child, not the script itself: it holds stdout and stderr.
  writeFileSync(join(dir, 'docker-credential-hang'), `#!/bin/sh\nsleep ${marker}\necho '{}'\n`);
  chmodSync(join(dir, 'docker-credential-hang'), 0o755);
  const run = execHelper({ ...process.env, PATH: `${dir}:${process.env.PATH}`, JINDR_CREDENTIAL_HELPER_TIMEOUT_MS: '1000' });
  const err = await t.throwsAsync(run('hang', 'registry.example.com'), { instanceOf: AuthError });
  t.is(
    err?.message,
    'credential helper docker-credential-hang timed out after 1 s for registry.example.com (JINDR_CREDENTIAL_HELPER_TIMEOUT_MS=<milliseconds> waits longer)',
  );
  await waitFor("the helper's child to be gone too", () => processesWith(`sleep ${marker}`).length === 0);
  t.deepEqual(processesWith(`sleep ${marker}`), []);
});

test('a helper that answers in time is not affected', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-quick-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'docker-credential-quick'),
    '#!/bin/sh\nread url\necho "{\\"ServerURL\\":\\"$url\\",\\"Username\\":\\"u\\",\\"Secret\\":\\"s\\"}"\n',
  );
  chmodSync(join(dir, 'docker-credential-quick'), 0o755);
  const run = execHelper({ ...process.env, PATH: `${dir}:${process.env.PATH}`, JINDR_CREDENTIAL_HELPER_TIMEOUT_MS: '5000' });
  const listeners = process.listenerCount('exit');
  t.deepEqual(await run('quick', 'r.example'), { ServerURL: 'r.example', Username: 'u', Secret: 's' });
  t.is(process.listenerCount('exit'), listeners, 'no exit listener left behind');
});
