import test from 'ava';
import { destinationRepository, planCopy } from '../../src/registry/copy-plan.ts';
import { UsageError } from '../../src/errors.ts';

const D = 'sha256:' + 'a'.repeat(64);

test('REGISTRY keeps the repository; a namespace is prefixed', (t) => {
  t.deepEqual(destinationRepository('ghcr.io', 'app'), { registry: 'ghcr.io', repository: 'app' });
  t.deepEqual(destinationRepository('ghcr.io/acme', 'team/app'), { registry: 'ghcr.io', repository: 'acme/team/app' });
  t.deepEqual(destinationRepository('localhost:5002/', 'app'), { registry: 'localhost:5002', repository: 'app' });
  t.deepEqual(destinationRepository('https://registry.example.com/x', 'app'), { registry: 'registry.example.com', repository: 'x/app' });
  t.deepEqual(destinationRepository('docker.io/alice', 'app'), { registry: 'docker.io', repository: 'alice/app' });
  for (const bad of ['acme', 'ghcr.io/acme:v1', 'ghcr.io/acme@' + D, 'ghcr.io/Acme']) {
    t.throws(() => destinationRepository(bad, 'app'), { instanceOf: UsageError }, bad);
  }
});

test('IMAGE defaults to :latest; extra TAGs keep their names', (t) => {
  t.deepEqual(planCopy('app', 'localhost:5001', { registry: 'ghcr.io/acme' }, ['v1', 'v2', 'v1']), {
    from: { registry: 'localhost:5001', repository: 'app' },
    to: { registry: 'ghcr.io', repository: 'acme/app' },
    items: [
      { source: 'latest', tag: 'latest' },
      { source: 'v1', tag: 'v1' },
      { source: 'v2', tag: 'v2' },
    ],
  });
  t.deepEqual(planCopy('team/app:v3', 'localhost:5001', { registry: 'localhost:5002' }, []).items, [{ source: 'v3', tag: 'v3' }]);
  t.like(planCopy('localhost:6000/app', 'localhost:5001', { registry: 'ghcr.io' }, []), { from: { registry: 'localhost:6000' } });
});

test('a digest is copied by digest; with a tag, that tag is written', (t) => {
  t.deepEqual(planCopy(`app@${D}`, 'r:1', { registry: 'ghcr.io' }, []).items, [{ source: D, tag: undefined }]);
  t.deepEqual(planCopy(`app:v1@${D}`, 'r:1', { registry: 'ghcr.io' }, []).items, [{ source: D, tag: 'v1' }]);
});

test('--to: repository keeps tags, repository:tag renames one image', (t) => {
  t.deepEqual(planCopy('app:v1', 'r:1', { to: 'ghcr.io/acme/other' }, ['v2']), {
    from: { registry: 'r:1', repository: 'app' },
    to: { registry: 'ghcr.io', repository: 'acme/other' },
    items: [
      { source: 'v1', tag: 'v1' },
      { source: 'v2', tag: 'v2' },
    ],
  });
  t.deepEqual(planCopy('app:v1', 'r:1', { to: 'ghcr.io/acme/other:prod' }, []).items, [{ source: 'v1', tag: 'prod' }]);
  t.like(planCopy('app:v1', 'r:1', { to: 'app:stable' }, []), {
    to: { registry: 'r:1', repository: 'app' },
    items: [{ source: 'v1', tag: 'stable' }],
  });
  t.throws(() => planCopy('app:v1', 'r:1', { to: 'ghcr.io/x:prod' }, ['v2']), { message: /names one tag/ });
  t.throws(() => planCopy('app', 'r:1', { to: `ghcr.io/x@${D}` }, []), { message: /not a digest/ });
});

test('no destination, two destinations, or the source itself: usage errors', (t) => {
  t.throws(() => planCopy('app', 'r:1', {}, []), { instanceOf: UsageError, message: /name a destination/ });
  t.throws(() => planCopy('app', 'r:1', { registry: 'ghcr.io', to: 'ghcr.io/x' }, []), { instanceOf: UsageError });
  t.throws(() => planCopy('app:v1', 'localhost:5001', { registry: 'localhost:5001' }, []), {
    message: /source and destination are the same/,
  });
  t.throws(() => planCopy('app', 'r:1', { registry: 'ghcr.io' }, ['-bad']), { message: /invalid tag/ });
});
