// -r/--registry for the life-cycle commands: HOST:PORT on this machine only.
import test from 'ava';
import { bindIpOf, hostIpServes, isWildcard, parseLocalRegistry, registryName } from '../../src/server/address.ts';
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
  ['0.0.0.0:5001', UsageError],
  ['[::]:5001', UsageError],
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

test('-r 0.0.0.0:PORT or [::]:PORT says what to write, and how to offer the registry to other machines', (t) => {
  t.is(
    t.throws(() => parseLocalRegistry('0.0.0.0:5610'), { instanceOf: UsageError }).message,
    '-r 0.0.0.0:5610 is not an address to reach the registry at: use -r localhost:5610, and to offer the registry to other machines too, start it with --bind 0.0.0.0 --auth USER',
  );
  t.regex(t.throws(() => parseLocalRegistry('[::]:5610')).message, /use -r \[::1\]:5610, .* --bind :: --auth USER$/);
});

test('a loopback name is published on its address; localhost on 127.0.0.1', (t) => {
  t.is(bindIpOf('localhost'), '127.0.0.1');
  t.is(bindIpOf('LOCALHOST'), '127.0.0.1');
  t.is(bindIpOf('127.0.0.2'), '127.0.0.2');
  t.is(bindIpOf('::1'), '::1');
  for (const ip of ['', '0.0.0.0', '::']) t.true(isWildcard(ip), ip);
  t.false(isWildcard('127.0.0.1'));
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
