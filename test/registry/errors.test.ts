// Error bodies of the wrong shape: read leniently (the request failed already, and
// whatever the body says helps), but never a crash and never a TypeError's message.
import test from 'ava';
import { describeErrorBody } from '../../src/registry/errors.ts';

const body = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

test('entries that are not objects are skipped; codes and messages that are not strings are left out', (t) => {
  t.deepEqual(
    describeErrorBody(404, 'application/json', body({ errors: [null, 'x', { code: 'NAME_UNKNOWN', message: 'no such repo' }] })),
    {
      codes: ['NAME_UNKNOWN'],
      reason: 'NAME_UNKNOWN: no such repo',
    },
  );
  t.deepEqual(describeErrorBody(400, 'application/json', body({ errors: [{ code: 7, message: 'bad digest' }] })), {
    codes: [],
    reason: 'bad digest',
  });
  t.deepEqual(describeErrorBody(400, 'application/json', body({ errors: [{ code: 'DIGEST_INVALID', message: ['x'] }] })), {
    codes: ['DIGEST_INVALID'],
    reason: 'DIGEST_INVALID',
  });
});

test('an errors member that is no list of objects: the body is summed up as text, a plain message is still read', (t) => {
  t.deepEqual(describeErrorBody(500, 'application/json', body({ errors: { code: 'UNKNOWN' } })), {
    codes: [],
    reason: '{"errors":{"code":"UNKNOWN"}}',
  });
  t.deepEqual(describeErrorBody(500, 'application/json', body({ errors: [null] })), { codes: [], reason: '{"errors":[null]}' });
  t.deepEqual(describeErrorBody(502, 'application/json', body({ message: 'upstream down' })), { codes: [], reason: 'upstream down' });
  t.deepEqual(describeErrorBody(502, 'application/json', body({ error: 'upstream down' })), { codes: [], reason: 'upstream down' });
  t.deepEqual(describeErrorBody(502, 'application/json', body({ message: { nested: true } })), {
    codes: [],
    reason: '{"message":{"nested":true}}',
  });
});

test('entries with neither code nor message: the status says it', (t) => {
  t.deepEqual(describeErrorBody(503, 'application/json', body({ errors: [{}] })), { codes: [], reason: 'service unavailable' });
});

test("a storage failure in an entry's detail, whatever the detail's type", (t) => {
  const full = describeErrorBody(
    500,
    'application/json',
    body({ errors: [{ code: 'UNKNOWN', message: 'unknown error', detail: { Op: 'write', Err: 28 } }] }),
  );
  t.regex(full.reason, /storage is full/);
  const text = describeErrorBody(500, 'application/json', body({ errors: [{ code: 'UNKNOWN', detail: 'read-only file system' }] }));
  t.regex(text.reason, /read-only/);
});
