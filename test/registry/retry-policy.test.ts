// The one retry policy as tables: typed registry error codes (temporary as
// go-containerregistry's), statuses when no code was sent, network failures by their code,
// never by an error's text.
import test from 'ava';
import { AuthError, InterruptedError, NotFoundError, RegistryError } from '../../src/errors.ts';
import { DigestMismatchError } from '../../src/registry/blobs.ts';
import { BodyConsumedError, RegistryApiError, describeErrorBody, type RegistryErrorCode } from '../../src/registry/errors.ts';
import { classifyNetworkError } from '../../src/registry/network-errors.ts';
import { restartFailure, retryConnection, retryRequest, sessionGone, temporary, temporaryAnswer } from '../../src/registry/retry-policy.ts';

const network = (code: string) => new RegistryError('network', { cause: Object.assign(new Error(code), { code }) });
const api = (status: number, codes: RegistryErrorCode[] = [], extra: { storage?: 'full'; path?: string; otherCodes?: string[] } = {}) =>
  new RegistryApiError('x', { status, codes, ...extra });

test('temporaryAnswer: every code temporary, else the status when no code was sent', (t) => {
  const rows: [number, RegistryErrorCode[], boolean][] = [
    [503, [], true],
    [500, [], true],
    [502, [], true],
    [504, [], true],
    [429, [], true],
    [408, [], true],
    [501, [], false],
    [505, [], false],
    [400, [], false],
    [404, [], false],
    [405, [], false],
    [503, ['UNAVAILABLE'], true],
    [429, ['TOOMANYREQUESTS'], true],
    [500, ['UNKNOWN'], true],
    [400, ['BLOB_UPLOAD_INVALID'], true],
    [500, ['MANIFEST_INVALID'], false],
    [500, ['UNKNOWN', 'DIGEST_INVALID'], false],
    [404, ['BLOB_UNKNOWN'], false],
    [401, ['UNAUTHORIZED'], false],
  ];
  t.deepEqual(
    rows.filter(([s, c, want]) => temporaryAnswer(s, c) !== want),
    [],
  );
});

test('retryRequest: one request again only for a temporary answer, a 500 only for reads, never a full storage', (t) => {
  const body = (codes: RegistryErrorCode[], storage?: 'full') => () => (storage ? { codes, storage } : { codes });
  t.true(retryRequest(503, 'PUT', body([])));
  t.true(
    retryRequest(503, 'PUT', () => undefined),
    'a streamed body: the status decides',
  );
  t.true(retryRequest(500, 'GET', body(['UNKNOWN'])));
  t.true(retryRequest(500, 'HEAD', body([])));
  t.false(retryRequest(500, 'PUT', body([])), 'a write may have happened');
  t.false(retryRequest(500, 'GET', body(['UNKNOWN'], 'full')));
  t.false(retryRequest(503, 'GET', body(['DENIED'])));
  t.false(retryRequest(404, 'HEAD', () => t.fail('a 404 body is not read')));
});

test('retryConnection: reset always, refused only from a host that answered before', (t) => {
  t.true(retryConnection('reset', false));
  t.true(retryConnection('refused', true));
  t.false(retryConnection('refused', false));
  for (const kind of ['timeout', 'slow', 'dns', 'tls', 'other'] as const) t.false(retryConnection(kind, true), kind);
});

test('network failures are classed by their code, not their text', (t) => {
  t.is(classifyNetworkError(network('ECONNRESET')), 'reset');
  t.is(classifyNetworkError(network('UND_ERR_SOCKET')), 'reset');
  t.is(classifyNetworkError(network('ETIMEDOUT')), 'timeout');
  t.is(classifyNetworkError(network('EAI_AGAIN')), 'dns');
  t.is(classifyNetworkError(new Error('socket hang up')), 'other', 'text alone says nothing');
  t.is(
    classifyNetworkError(Object.assign(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })]), {})),
    'refused',
    'happy eyeballs',
  );
});

test('temporary: what a step run again from its start can fix', (t) => {
  t.true(temporary(network('ECONNRESET')));
  t.true(temporary(network('ECONNREFUSED')));
  t.true(temporary(network('ETIMEDOUT')));
  t.false(temporary(network('UNABLE_TO_VERIFY_LEAF_SIGNATURE')));
  t.false(temporary(network('ENOTFOUND')));
  t.true(temporary(new RegistryError('x', { cause: new BodyConsumedError('again') })));
  t.false(temporary(new RegistryError('no upload location')));
  t.true(temporary(api(503)));
  t.true(temporary(api(500)));
  t.true(temporary(api(429, ['TOOMANYREQUESTS'])));
  t.false(temporary(api(500, ['UNKNOWN'], { storage: 'full' })), 'a full storage is for a person to free');
  t.false(temporary(api(501)), 'Not Implemented will not be, on a second try');
  t.false(temporary(api(505)));
  t.false(temporary(api(405)));
  t.true(temporary(api(404, ['BLOB_UPLOAD_UNKNOWN'])), 'a fresh session');
  t.false(temporary(api(404, ['BLOB_UNKNOWN'])));
  t.false(temporary(api(400)));
  t.false(temporary(new AuthError('denied', { status: 401 })));
  t.false(temporary(new DigestMismatchError('bad')));
  t.false(temporary(new NotFoundError('gone')));
  t.false(temporary(new InterruptedError()));
});

test('sessionGone: a 404 to an upload, by its code, or by the upload path when no code came', (t) => {
  t.true(sessionGone(api(404, ['BLOB_UPLOAD_INVALID'])));
  t.true(sessionGone(api(404, ['BLOB_UPLOAD_UNKNOWN'])));
  t.true(sessionGone(api(404, [], { path: '/v2/a/blobs/uploads/7e1' })));
  t.false(sessionGone(new RegistryApiError('404 to PUT /v2/a/blobs/uploads/7e1', { status: 404 })), 'the message is not read');
  t.false(sessionGone(api(404, ['MANIFEST_BLOB_UNKNOWN'], { path: '/v2/a/blobs/uploads/7e1' })));
  t.false(sessionGone(api(400, ['BLOB_UPLOAD_INVALID'])));
  t.false(sessionGone(api(404, [], { path: '/v2/a/manifests/v1' })));
});

test('restartFailure: refused, reset, a consumed body, a session gone; nothing else', (t) => {
  t.true(restartFailure(network('ECONNREFUSED')));
  t.true(restartFailure(network('ECONNRESET')));
  t.true(restartFailure(new RegistryError('x', { cause: new BodyConsumedError('again') })));
  t.true(restartFailure(api(404, ['BLOB_UPLOAD_INVALID'])));
  t.false(restartFailure(network('ETIMEDOUT')));
  t.false(restartFailure(api(503)));
  t.false(restartFailure(new Error('ECONNREFUSED')));
});

test('error bodies give typed codes; codes outside the spec are kept apart', (t) => {
  const body = (value: unknown) => Buffer.from(JSON.stringify(value));
  t.deepEqual(
    describeErrorBody(
      429,
      'application/json',
      body({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }, { code: 'QUOTA_EXCEEDED' }] }),
    ),
    {
      codes: ['TOOMANYREQUESTS'],
      otherCodes: ['QUOTA_EXCEEDED'],
      reason: 'TOOMANYREQUESTS: slow down; QUOTA_EXCEEDED',
    },
  );
  const full = describeErrorBody(500, 'application/json', body({ errors: [{ code: 'UNKNOWN', detail: { Err: 28 } }] }));
  t.is(full.storage, 'full');
  t.deepEqual(full.codes, ['UNKNOWN']);
  t.false(
    temporary(new RegistryApiError(full.reason, { status: 500, codes: full.codes, ...(full.storage ? { storage: full.storage } : {}) })),
  );
});
