// -r/--registry for the life-cycle commands: HOST:PORT on this machine only.
import test from 'ava';
import { hostIpServes, parseLocalRegistry, registryName, splitHostPort } from '../../src/server/address.ts';
import { RefusedError, UsageError } from '../../src/errors.ts';

const accepted: [string, string, number][] = [
  ['localhost:5001', '127.0.0.1', 5001],
  ['LOCALHOST:5001', '127.0.0.1', 5001],
  ['127.0.0.1:6000', '127.0.0.1', 6000],
  ['127.1.2.3:6000', '127.1.2.3', 6000],
  ['[::1]:5002', '::1', 5002],
];
for (const [value, bindIp, port] of accepted) {
  test(`-r ${value} is local`, (t) => {
    t.like(parseLocalRegistry(value), { registry: value, bindIp, port });
  });
}

const refused: [string, typeof UsageError | typeof RefusedError][] = [
  ['example.com:5001', RefusedError],
  ['10.0.0.1:5001', RefusedError],
  ['0.0.0.0:5001', RefusedError],
  ['[::]:5001', RefusedError],
  ['192.0.2.2:5001', RefusedError],
  ['localhost', UsageError],
  ['localhost:', UsageError],
  ['localhost:0', UsageError],
  ['localhost:70000', UsageError],
  ['localhost:50a', UsageError],
  [':5001', UsageError],
];
for (const [value, type] of refused) {
  test(`-r ${JSON.stringify(value)} is refused with ${type.name}`, (t) => {
    const err = t.throws(() => parseLocalRegistry(value), { instanceOf: type });
    t.false(err.message.includes('\n'));
    t.true(err.message.includes(value));
  });
}

test('splitHostPort', (t) => {
  t.deepEqual(splitHostPort('h:1'), { host: 'h', port: '1' });
  t.deepEqual(splitHostPort('[::1]:1'), { host: '::1', port: '1' });
  t.deepEqual(splitHostPort('h'), { host: 'h', port: undefined });
});

test('published addresses: unspecified serves every loopback address', (t) => {
  t.true(hostIpServes('', '127.0.0.1'));
  t.true(hostIpServes('0.0.0.0', '127.0.0.1'));
  t.true(hostIpServes('127.0.0.1', '127.0.0.1'));
  t.false(hostIpServes('127.0.0.2', '127.0.0.1'));
  t.is(registryName('127.0.0.1', 5001), 'localhost:5001');
  t.is(registryName('0.0.0.0', 5001), 'localhost:5001');
  t.is(registryName('127.0.0.2', 5001), '127.0.0.2:5001');
  t.is(registryName('::1', 5001), '[::1]:5001');
});
