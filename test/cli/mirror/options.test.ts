import test from 'ava';
import { checkMirrorOptions, givenAddress, type MirrorArgs } from '../../../src/cli/mirror/options.ts';
import type { Context } from '../../../src/cli/context.ts';
import { UsageError } from '../../../src/errors.ts';
import { registryHost } from '../../../src/registry/host.ts';

test("an action's own options pass; another action's are refused by name", (t) => {
  t.notThrows(() => checkMirrorOptions({ action: 'start', engine: true, network: 'kind', data: '/d', image: 'registry:2', login: 'x.io' }));
  t.notThrows(() => checkMirrorOptions({ action: 'rm', purge: true }));
  const cases: Array<[MirrorArgs, RegExp]> = [
    [{ action: 'stop', engine: true }, /^--engine belongs to mirror start, not mirror stop$/],
    [{ action: 'start', purge: true }, /^--purge belongs to mirror rm, not mirror start$/],
    [{ action: 'ls', network: 'x' }, /^--network belongs to mirror start/],
    [{ action: 'ls', 'max-size': '1GB' }, /^--max-size belongs to mirror start and mirror config, not mirror ls$/],
    [{ action: 'start', network: ' ' }, /^--network needs a value$/],
  ];
  for (const [args, message] of cases) t.throws(() => checkMirrorOptions(args), { instanceOf: UsageError, message });
});

test('-r counts as given only when it is not the default registry', (t) => {
  const ctx = (registry: string) => ({ registry: registryHost(registry) }) as unknown as Context;
  t.is(givenAddress(ctx('localhost:5001')), undefined);
  t.like(givenAddress(ctx('localhost:5010')), { port: 5010, bindIp: '127.0.0.1' });
  t.throws(() => givenAddress(ctx('example.com:5010')));
});
