// An image config's platform: read only from string members; anything else in an
// artifact's config (which may be any JSON, or none) declares no platform.
import test from 'ava';
import { platformOfConfig } from '../../src/registry/image-config.ts';

const bytes = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

test('os and architecture must both be strings; a variant only when it is a non-empty string', (t) => {
  t.deepEqual(platformOfConfig(bytes({ os: 'linux', architecture: 'arm64', variant: 'v8' })), {
    os: 'linux',
    architecture: 'arm64',
    variant: 'v8',
  });
  t.deepEqual(platformOfConfig(bytes({ os: 'linux', architecture: 'amd64', variant: '' })), { os: 'linux', architecture: 'amd64' });
  t.deepEqual(platformOfConfig(bytes({ os: 'linux', architecture: 'amd64', variant: 7 })), { os: 'linux', architecture: 'amd64' });
  t.is(platformOfConfig(bytes({ os: 'linux', architecture: 64 })), undefined);
  t.is(platformOfConfig(bytes({ os: ['linux'], architecture: 'amd64' })), undefined);
  t.is(platformOfConfig(bytes([{ os: 'linux', architecture: 'amd64' }])), undefined);
  t.is(platformOfConfig(bytes(null)), undefined);
  t.is(platformOfConfig(Buffer.from([0x1f, 0x8b, 0x08])), undefined);
});
