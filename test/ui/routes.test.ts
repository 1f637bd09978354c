// The API's input checks (the command line's name grammar, before anything reaches the
// registry) and how errors become statuses.
import test from 'ava';
import { deleteRequest, pruneRequest, statusOf } from '../../src/ui/routes.ts';
import {
  AuthError,
  EngineUnreachableError,
  InterruptedError,
  NotFoundError,
  RefusedError,
  RegistryError,
  ResourceError,
  UsageError,
} from '../../src/errors.ts';
import { DeleteRefusedError } from '../../src/ui/service.ts';

const R = 'localhost:5001';

test('a delete names a repository of this registry and a tag', (t) => {
  t.deepEqual(deleteRequest(R, { repository: 'team/app', tag: 'v1.2' }), { repository: 'team/app', tag: 'v1.2', force: false });
  t.deepEqual(deleteRequest(R, { repository: 'app', tag: 'latest', force: true }), { repository: 'app', tag: 'latest', force: true });
});

const badDeletes: [string, unknown, RegExp][] = [
  ['no body object', 'x', /JSON object/],
  ['no repository', { tag: 'v1' }, /name a repository/],
  ['no tag', { repository: 'app' }, /name a tag/],
  ['an upper-case repository', { repository: 'App', tag: 'v1' }, /./],
  ['a path out of the registry', { repository: '../etc', tag: 'v1' }, /./],
  ['another registry named in the repository', { repository: 'evil.example:5000/app', tag: 'v1' }, /is not a repository of localhost:5001/],
  ['a tag with a slash', { repository: 'app', tag: 'a/b' }, /./],
  ['a digest instead of a tag', { repository: 'app', tag: `sha256:${'a'.repeat(64)}` }, /name a tag to delete, not a digest/],
  ['force that is not a boolean', { repository: 'app', tag: 'v1', force: 'yes' }, /force must be true or false/],
];

for (const [name, body, message] of badDeletes) {
  test(`a delete with ${name} is a UsageError (400)`, (t) => {
    const err = t.throws(() => deleteRequest(R, body));
    t.true(err instanceof UsageError);
    t.regex(err.message, message);
    t.is(statusOf(err), 400);
  });
}

test('prune requests are checked field by field', (t) => {
  t.deepEqual(pruneRequest(R, { dryRun: true, keep: 3, repositories: ['app'], protect: ['latest'], olderThan: '30d', semver: true }), {
    dryRun: true,
    keep: 3,
    repositories: ['app'],
    protect: ['latest'],
    olderThan: '30d',
    semver: true,
  });
  t.throws(() => pruneRequest(R, {}), { message: /dryRun/ });
  t.throws(() => pruneRequest(R, { dryRun: true, keep: -1 }), { message: /keep must be a whole number/ });
  t.throws(() => pruneRequest(R, { dryRun: true, keep: 1.5 }), { message: /keep/ });
  t.throws(() => pruneRequest(R, { dryRun: true, match: 'v*' }), { message: /match must be a list/ });
  t.throws(() => pruneRequest(R, { dryRun: false, repositories: ['Bad Name'] }), { instanceOf: UsageError });
});

test('errors map to statuses a page can act on', (t) => {
  t.is(statusOf(new UsageError('x')), 400);
  t.is(statusOf(new NotFoundError('x')), 404);
  t.is(statusOf(new RefusedError('x')), 409);
  t.is(statusOf(new DeleteRefusedError('x', ['a:b'])), 409);
  t.is(statusOf(new ResourceError('x')), 409);
  t.is(statusOf(new RegistryError('x')), 502);
  t.is(statusOf(new AuthError('x')), 502);
  t.is(statusOf(new EngineUnreachableError('x')), 503);
  t.is(statusOf(new InterruptedError()), 503);
  t.is(statusOf(new Error('x')), 500);
});

test('gc and prune say why they cannot run on a registry that is not on this machine, without asking the engine', async (t) => {
  const { Housekeeping } = await import('../../src/ui/housekeeping.ts');
  let asked = false;
  const h = new Housekeeping({
    registry: 'registry.example.com:5000',
    client: undefined as never,
    parseDuration: () => 0,
    graceMs: 0,
    force: false,
    signal: new AbortController().signal,
    engine: async () => {
      asked = true;
      throw new Error('no engine');
    },
    info: () => {},
    debug: () => {},
    critical: (fn) => fn(),
  });
  t.is(await h.unavailable(), 'gc and prune work on a registry docker-jindr runs on this machine; registry.example.com:5000 is not local');
  t.is(await h.pushed('app'), undefined, 'push times absent, not guessed');
  t.false(asked);
});
