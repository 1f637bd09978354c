// Reading one HTTP/1.1 answer from a socket's bytes: every framing, fed whole and one byte
// at a time (a socket may split an answer anywhere), and the malformed answers refused.
import test from 'ava';
import { AnswerReader, AnswerTooLargeError, type Answer } from '../../src/registry/http1-answer.ts';

/** Feeds the text in pieces of `step` bytes; `end` when the connection then closes. */
function read(text: string, options: { head?: boolean; step?: number; end?: boolean } = {}): Answer | undefined {
  const reader = new AnswerReader(options.head ?? false);
  const bytes = Buffer.from(text, 'latin1');
  const step = options.step ?? bytes.length;
  for (let at = 0; at < bytes.length; at += step) {
    const answer = reader.push(bytes.subarray(at, at + step));
    if (answer) return answer;
  }
  return options.end ? reader.end() : undefined;
}

for (const step of [1, 3, 1000]) {
  test(`Content-Length framing, in pieces of ${step}`, (t) => {
    const answer = read(
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nDocker-Content-Digest: sha256:ab\r\n\r\n{"a":"xyz"}',
      { step },
    );
    t.truthy(answer);
    t.is(answer!.statusCode, 200);
    t.is(answer!.body.toString(), '{"a":"xyz"}');
    t.is(answer!.headers['content-type'], 'application/json');
    t.is(answer!.headers['docker-content-digest'], 'sha256:ab');
    t.true(answer!.keepAlive);
  });

  test(`chunked framing with an extension and trailers, in pieces of ${step}`, (t) => {
    const answer = read(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=x\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: 1\r\n\r\n',
      { step },
    );
    t.is(answer?.body.toString(), 'hello, world!!!');
    t.true(answer!.keepAlive);
  });

  test(`a 1xx answer before the real one is skipped, in pieces of ${step}`, (t) => {
    const answer = read(
      'HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 201 Created\r\nLocation: /v2/x\r\nContent-Length: 0\r\n\r\n',
      { step },
    );
    t.is(answer?.statusCode, 201);
    t.is(answer?.headers.location, '/v2/x');
    t.is(answer?.headers.link, undefined);
  });
}

test('a body framed by the end of the connection: whole only at the end, and the socket not reused', (t) => {
  const reader = new AnswerReader(false);
  t.is(reader.push(Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nsome ')), undefined);
  t.is(reader.push(Buffer.from('text')), undefined);
  const answer = reader.end();
  t.is(answer?.body.toString(), 'some text');
  t.false(answer!.keepAlive);
});

test('the end of the connection before a framed answer is whole gives no answer', (t) => {
  t.is(read('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello', { end: true }), undefined);
  t.is(read('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', { end: true }), undefined);
  t.is(read('HTTP/1.1 200 OK\r\nContent-Le', { end: true }), undefined);
});

test('HEAD, 204 and 304 answers have no body whatever their Content-Length says', (t) => {
  const head = read('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nDocker-Content-Digest: sha256:cd\r\n\r\n', { head: true });
  t.is(head?.body.length, 0);
  t.is(head?.headers['content-length'], '1234');
  t.true(head!.keepAlive);
  t.is(read('HTTP/1.1 204 No Content\r\n\r\n')?.statusCode, 204);
  t.is(read('HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n')?.body.length, 0);
});

test('Connection: close, HTTP/1.0 without keep-alive, and bytes past the answer: the socket is not reused', (t) => {
  t.false(read('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok')!.keepAlive);
  t.false(read('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok')!.keepAlive);
  t.true(read('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok')!.keepAlive);
  t.false(read('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA')!.keepAlive);
});

test('repeated fields are joined as Node does; set-cookie stays a list', (t) => {
  const answer = read(
    'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="a"\r\nwww-authenticate: Basic realm="b"\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n',
  );
  t.is(answer?.headers['www-authenticate'], 'Bearer realm="a", Basic realm="b"');
  t.deepEqual(answer?.headers['set-cookie'], ['a=1', 'b=2']);
});

test('malformed answers are refused with one line', (t) => {
  const refuse = (text: string, message: RegExp): void => {
    const err = t.throws(() => read(text));
    t.regex(err.message, message);
    t.is((err as NodeJS.ErrnoException).code, 'HPE_INVALID');
  };
  refuse('HTTP/2 200\r\n\r\n', /status line/);
  refuse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\nok', /both Content-Length and Transfer-Encoding/);
  refuse('HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok', /not "name: value"/);
  refuse('HTTP/1.1 200 OK\r\nX: 1\r\n 2\r\n\r\n', /obs-fold/);
  refuse('HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n', /control character/);
  refuse('<html>hello</html>\r\n\r\n', /status line/);
  refuse('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /Content-Length/);
  refuse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok', /two Content-Length/);
  refuse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /not hexadecimal/);
  refuse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n', /does not end where its size says/);
  refuse('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', /not "name: value"/);
  refuse(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`, /larger than 16 KiB/);
});

test('a body over its limit is refused from its announced length, before any of it is read', (t) => {
  const reader = new AnswerReader(false, { body: 4 * 1024 * 1024, error: 64 * 1024 });
  const err = t.throws(() => reader.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\n')));
  t.true(err instanceof AnswerTooLargeError);
  t.is((err as AnswerTooLargeError).limit, 4 * 1024 * 1024);
});

test('an error answer has the error limit; a chunked or close-delimited body is refused once it passes its limit', (t) => {
  const limits = { body: 1000, error: 100 };
  t.throws(() => new AnswerReader(false, limits).push(Buffer.from('HTTP/1.1 500 X\r\nContent-Length: 101\r\n\r\n')), {
    instanceOf: AnswerTooLargeError,
  });
  t.truthy(new AnswerReader(false, limits).push(Buffer.from(`HTTP/1.1 500 X\r\nContent-Length: 100\r\n\r\n${'e'.repeat(100)}`)));
  const chunked = new AnswerReader(false, limits);
  t.is(chunked.push(Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n`)), undefined);
  for (let i = 0; i < 9; i += 1) t.is(chunked.push(Buffer.from(`64\r\n${'x'.repeat(100)}\r\n`)), undefined);
  t.throws(() => chunked.push(Buffer.from('65\r\n')), { instanceOf: AnswerTooLargeError });
  const close = new AnswerReader(false, limits);
  close.push(Buffer.from(`HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(1000)}`));
  t.throws(() => close.push(Buffer.from('x')), { instanceOf: AnswerTooLargeError });
});
