// A credential helper that hangs (a real script on PATH whose child sleeps, holding the
// pipes open), against a registry that asks for a login: the
// command fails after the helper timeout (shortened with JINDR_CREDENTIAL_HELPER_TIMEOUT_MS)
// in one line that says the helper timed out, and neither the helper nor its child is left.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2e } from '../helpers/engine.ts';
import { startHtpasswdRegistry } from '../helpers/registry-containers.ts';
import { processesWith } from '../helpers/processes.ts';
import { errorLine, makeDockerConfig, jindr } from '../helpers/run.ts';

e2e('a hanging credential helper: ls fails at the helper timeout, saying so, and the helper and its child are gone', async (t) => {
  const reg = await startHtpasswdRegistry({ alice: 'wonderland' }, { image: 'registry:3' });
  const cfg = makeDockerConfig();
  const bin = mkdtempSync(join(tmpdir(), 'jindr-hang-bin-'));
  t.teardown(async () => {
    await reg.remove();
    cfg.cleanup();
    rmSync(bin, { recursive: true, force: true });
  });
  const marker = `100.${Math.floor(Math.random() * 1e6)}`;
  writeFileSync(join(bin, 'docker-credential-hang'), `#!/bin/sh\nsleep ${marker}\necho '{}'\n`);
  chmodSync(join(bin, 'docker-credential-hang'), 0o755);
  writeFileSync(join(cfg.dir, 'config.json'), JSON.stringify({ credsStore: 'hang' }));
  const env = { ...cfg.env, PATH: `${bin}:${process.env.PATH}`, JINDR_CREDENTIAL_HELPER_TIMEOUT_MS: '1500' };

  const ls = await jindr(['-r', reg.host, 'ls'], { env, timeoutMs: 60_000 });
  t.is(
    errorLine(t, ls, 1),
    `docker-jindr: credential helper docker-credential-hang timed out after 1.5 s for ${reg.host} (JINDR_CREDENTIAL_HELPER_TIMEOUT_MS=<milliseconds> waits longer)`,
  );
  t.notRegex(ls.stderr, /killed \(SIGKILL\)/);
  t.deepEqual(processesWith(`sleep ${marker}`), [], 'no sleep left behind');
  t.deepEqual(processesWith('docker-credential-hang'), [], 'no helper left behind');
});
