import test from 'ava';
import { parseSize } from '../../src/mirror/mirror-limit.ts';
import { parsePullTimes, pullKey } from '../../src/mirror/pull-times.ts';

test('sizes in decimal and binary units; 0 and none mean no limit', (t) => {
  t.is(parseSize('500MB', '--max-size'), 500_000_000);
  t.is(parseSize('2gb', '--max-size'), 2_000_000_000);
  t.is(parseSize('1.5GiB', '--max-size'), 1.5 * 2 ** 30);
  t.is(parseSize('800000', '--max-size'), 800_000);
  t.is(parseSize('10 k', '--max-size'), 10_000);
  t.is(parseSize('0', '--max-size'), undefined);
  t.is(parseSize('none', '--max-size'), undefined);
  for (const bad of ['', 'big', '-1GB', '2XB', '0.1B', '1e3']) {
    const err = t.throws(() => parseSize(bad, '--max-size'));
    t.regex(err.message, /^--max-size takes a size such as 500MB/, bad);
  }
});

test("pull times: the newest 2xx GET or HEAD of a manifest, by tag or digest, from the access log's lines", (t) => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const log = [
    '2026-12-07T00:46:32.100000000Z 192.168.16.1 - - [07/Dec/2026:00:46:32 +0000] "GET /v2/library/busybox/manifests/latest HTTP/1.1" 200 428 "" "skopeo/1.9.3"',
    '2026-12-07T00:47:00.500000000Z 192.168.16.1 - - [07/Dec/2026:00:47:00 +0000] "HEAD /v2/library/busybox/manifests/latest HTTP/1.1" 200 428 "" "docker/28"',
    '2026-12-07T00:46:10.000000000Z 192.168.16.1 - - [07/Dec/2026:00:46:10 +0000] "GET /v2/library/busybox/manifests/latest HTTP/1.1" 200 428 "" "old"',
    `2026-12-07T00:48:00.000000000Z 192.168.16.1 - - [07/Dec/2026:00:48:00 +0000] "GET /v2/archy/manifests/${digest} HTTP/1.1" 200 500 "" "skopeo"`,
    '2026-12-07T00:49:00.000000000Z 192.168.16.1 - - [07/Dec/2026:00:49:00 +0000] "GET /v2/gone/manifests/v1 HTTP/1.1" 404 90 "" "skopeo"',
    '2026-12-07T00:49:00.000000000Z 192.168.16.1 - - [07/Dec/2026:00:49:00 +0000] "GET /v2/archy/blobs/sha256:bb HTTP/1.1" 200 9 "" "skopeo"',
    '2026-12-07T00:49:01.000000000Z time="2026-12-07T00:49:01Z" level=info msg="response completed" http.request.uri=/v2/x/manifests/y',
    'garbage',
  ].join('\n');
  const times = parsePullTimes(log);
  t.deepEqual(
    [...times],
    [
      [pullKey('library/busybox', 'latest'), Date.parse('2026-12-07T00:47:00.500Z')],
      [pullKey('archy', digest), Date.parse('2026-12-07T00:48:00Z')],
    ],
  );
});
