import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pluginMetadata } from '../../src/cli/metadata.ts';
import { jindr, repoRoot } from '../helpers/run.ts';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

test('metadata as the Docker CLI validates it: schema 0.1.0, a vendor, the package version', (t) => {
  const m = pluginMetadata();
  t.is(m.SchemaVersion, '0.1.0');
  t.regex(m.Vendor, /\S/);
  t.is(m.Version, pkg.version);
  t.regex(m.ShortDescription, /registry/);
  t.regex(m.URL, /^https:\/\//);
});

test('the built executable answers the handshake with exactly that, and nothing on stderr', async (t) => {
  const result = await jindr(['docker-cli-plugin-metadata']);
  t.is(result.code, 0);
  t.is(result.stderr, '');
  t.deepEqual(JSON.parse(result.stdout), pluginMetadata());
});

test("the built executable answers --version and -v, alone or after Docker's plugin name", async (t) => {
  for (const args of [['--version'], ['-v'], ['jindr', '--version'], ['-D', 'jindr', '-v']]) {
    const result = await jindr(args);
    t.is(result.code, 0, args.join(' '));
    t.is(result.stdout, `${pkg.version}\n`, args.join(' '));
  }
});

test("the built executable refuses an unknown command in Docker's words, exit 2", async (t) => {
  const result = await jindr(['nosuch']);
  t.is(result.code, 2);
  t.is(result.stdout, '');
  t.is(
    result.stderr,
    "docker-jindr: unknown command: docker-jindr nosuch\n\nUsage:  docker-jindr [OPTIONS] COMMAND\n\nRun 'docker-jindr --help' for more information\n",
  );
});
