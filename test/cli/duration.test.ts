// --older-than DURATION as people type it.
import test from 'ava';
import { parseDuration } from '../../src/cli/duration.ts';
import { UsageError } from '../../src/errors.ts';

const H = 3_600_000;

test('units s, m, h, d, w, combined and with decimals; 0 alone', (t) => {
  t.is(parseDuration('30d', '--older-than'), 30 * 24 * H);
  t.is(parseDuration('12h', '--older-than'), 12 * H);
  t.is(parseDuration('90m', '--older-than'), 90 * 60_000);
  t.is(parseDuration('45s', '--older-than'), 45_000);
  t.is(parseDuration('2w', '--older-than'), 14 * 24 * H);
  t.is(parseDuration('1h30m', '--older-than'), 1.5 * H);
  t.is(parseDuration('1d12h', '--older-than'), 36 * H);
  t.is(parseDuration('1.5h', '--older-than'), 1.5 * H);
  t.is(parseDuration(' 7d ', '--older-than'), 7 * 24 * H);
  t.is(parseDuration('0', '--older-than'), 0);
  t.is(parseDuration('0s', '--older-than'), 0);
});

test('anything else is a usage error naming the option and the input', (t) => {
  for (const bad of ['', '30', 'd', '30 d', '30days', '-1h', '1y', '1h-', 'h1', '1..5h', '30D']) {
    const err = t.throws(() => parseDuration(bad, '--older-than'), { instanceOf: UsageError }, JSON.stringify(bad));
    t.regex(err.message, /^--older-than needs a duration such as 30d, 12h, 90m/);
    t.true(err.message.includes(JSON.stringify(bad)));
  }
});
