// Argument checks of the life-cycle commands: refused before any engine is asked, with
// one line and exit 2 (usage) or 1 (refused). Runs the built binary; needs no engine.
import test from 'ava';
import { jindr } from '../helpers/run.ts';

const env = { ...process.env, DOCKER_HOST: 'unix:///nonexistent-jindr-args.sock' };

const cases: [string[], number, string][] = [
  [['start', '-r', 'localhost'], 2, '-r/--registry needs HOST:PORT with a port from 1 to 65535, e.g. localhost:5001 (got "localhost")'],
  [['up', '-r', 'localhost:0'], 2, '-r/--registry needs a port from 1 to 65535 after the colon, e.g. localhost:5001 (got "localhost:0")'],
  [
    ['start', '-r', 'registry.example.com:5001'],
    1,
    'a registry can only be run on this machine: -r registry.example.com:5001 is not local (use localhost:PORT, 127.x.x.x:PORT or [::1]:PORT)',
  ],
  [
    ['stop', '-r', '10.1.2.3:5001'],
    1,
    'a registry can only be run on this machine: -r 10.1.2.3:5001 is not local (use localhost:PORT, 127.x.x.x:PORT or [::1]:PORT)',
  ],
  [['start', '-d', ''], 2, '-d/--data needs a value'],
  [['start', '--image', ' '], 2, '--image needs a value'],
  [['logs', '--tail', '-1'], 2, '--tail needs a whole number of lines, 0 or more'],
  [
    ['stat', '-r', 'localhost:99999'],
    2,
    '-r/--registry needs a port from 1 to 65535 after the colon, e.g. localhost:5001 (got "localhost:99999")',
  ],
  [
    ['up', '-r', '0.0.0.0:5610'],
    2,
    '-r 0.0.0.0:5610 is not an address to reach the registry at: use -r localhost:5610, and to offer the registry to other machines too, start it with --bind 0.0.0.0 --auth USER',
  ],
];
for (const [args, code, message] of cases) {
  test(`${args.join(' ')} -> ${code}`, async (t) => {
    const r = await jindr(args, { env });
    t.is(r.code, code, r.stderr);
    t.is(r.stderr, `docker-jindr: ${message}\n`);
    t.is(r.stdout, '');
  });
}

test('an engine that is not there: one line naming it, exit 1', async (t) => {
  const r = await jindr(['stat'], { env });
  t.is(r.code, 1);
  t.regex(
    r.stderr,
    /^docker-jindr: cannot reach the Docker engine at unix:\/\/\/nonexistent-jindr-args\.sock \(context "default", from DOCKER_HOST\): is it running\? \([^\n]*\)\n$/,
  );
});

test('stop -G and --no-gc are the same option, not a negated "gc"', async (t) => {
  for (const flag of ['-G', '--no-gc']) {
    const r = await jindr(['stop', flag, '-r', 'example.com:1'], { env });
    t.is(r.code, 1, `${flag}: ${r.stderr}`);
    t.regex(r.stderr, /is not local/);
  }
});
