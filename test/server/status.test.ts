// What a registry container is, for people: its storage area, and how to start one.
import test from 'ava';
import type { RegistryContainer } from '../../src/server/container.ts';
import { parseLocalRegistry } from '../../src/server/address.ts';
import { describeStorage, startHint } from '../../src/server/status.ts';

const withStorage = (storage: RegistryContainer['storage']): RegistryContainer => ({ storage }) as RegistryContainer;

test('the storage area: a path, a volume, or the container itself', (t) => {
  t.is(describeStorage(withStorage({ kind: 'bind', path: '/home/u/.jindr' })), '/home/u/.jindr');
  t.is(describeStorage(withStorage({ kind: 'volume', name: 'regdata' })), 'volume regdata');
  t.is(describeStorage(withStorage({ kind: 'container' })), 'the container (no volume)');
});

test('the start hint names -r unless it is the default', (t) => {
  t.is(startHint(parseLocalRegistry('localhost:5001')), 'start one with: docker jindr start');
  t.is(startHint(parseLocalRegistry('127.0.0.1:5001')), 'start one with: docker jindr -r 127.0.0.1:5001 start');
  t.is(startHint(parseLocalRegistry('[::1]:5650')), 'start one with: docker jindr -r [::1]:5650 start');
});
