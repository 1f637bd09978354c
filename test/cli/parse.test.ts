import test from 'ava';
import { pluginLine as parsePluginArgv } from '../../src/cli/parse.ts';
import { UsageError } from '../../src/errors.ts';

test('global flags before the plugin name are Docker\'s, the rest are the plugin\'s', (t) => {
  const parsed = parsePluginArgv(['--context', 'x', '-D', 'jindr', 'up', '-r', 'localhost:6000']);
  t.is(parsed.globals.context, 'x');
  t.true(parsed.globals.debug);
  t.is(parsed.mode, 'run');
  t.deepEqual(parsed.args, ['up', '-r', 'localhost:6000']);
});

test('both --flag value and --flag=value forms', (t) => {
  const parsed = parsePluginArgv([
    '--config=/c', '-H', 'tcp://h:2376', '--tlsverify', '--tlscacert=/ca.pem', '--tlscert', '/cert.pem',
    '--tlskey=/key.pem', '-l', 'debug', '--tls=false', 'jindr', 'ls',
  ]);
  t.deepEqual(parsed.globals, {
    config: '/c', host: 'tcp://h:2376', tlsVerify: true, tlsCaCert: '/ca.pem', tlsCert: '/cert.pem',
    tlsKey: '/key.pem', logLevel: 'debug', tls: false, debug: false,
  });
  t.deepEqual(parsed.args, ['ls']);
});

test('run on its own, without the plugin name', (t) => {
  t.deepEqual(parsePluginArgv(['-v']).args, ['-v']);
  t.deepEqual(parsePluginArgv(['up', '-d', '/data']).args, ['up', '-d', '/data']);
  t.deepEqual(parsePluginArgv(['-H', 'unix:///x.sock', 'stat']).args, ['stat']);
});

test('help and completion forms', (t) => {
  t.like(parsePluginArgv(['help', 'jindr']), { mode: 'help', args: [] });
  t.like(parsePluginArgv(['__complete', 'jindr', 'in']), { mode: 'complete', args: ['in'] });
});

test('--host with --context is refused, as docker refuses it', (t) => {
  t.throws(() => parsePluginArgv(['-H', 'unix:///x', '--context', 'y', 'jindr', 'ls']), { instanceOf: UsageError });
  t.throws(() => parsePluginArgv(['--context']), { instanceOf: UsageError, message: /needs an argument/ });
  t.throws(() => parsePluginArgv(['--tls=maybe', 'jindr']), { instanceOf: UsageError });
});
