// --grace DURATION (gc, stop, prune, du, ui): the one duration syntax, one hour by default.
import test from 'ava';
import { graceMs } from '../../src/cli/grace-option.ts';
import { DEFAULT_GRACE_MS } from '../../src/storage/grace-period.ts';
import { UsageError } from '../../src/errors.ts';

test('durations with units, 0, and the default of one hour', (t) => {
  t.is(graceMs(undefined), DEFAULT_GRACE_MS);
  t.is(DEFAULT_GRACE_MS, 3_600_000);
  t.is(graceMs('0'), 0);
  t.is(graceMs('0s'), 0);
  t.is(graceMs('45s'), 45_000);
  t.is(graceMs('30m'), 1_800_000);
  t.is(graceMs('1h'), 3_600_000);
  t.is(graceMs('2d'), 172_800_000);
  t.is(graceMs('1h30m'), 5_400_000);
});

test('anything else is a usage error naming --grace and the input', (t) => {
  for (const bad of ['', ' ', '30', '1x', 'h', '-1h', '1 h', 'soon', '1h 30m', '30M']) {
    const err = t.throws(() => graceMs(bad), { instanceOf: UsageError }, JSON.stringify(bad));
    t.regex(err?.message ?? '', /^--grace needs a duration such as 30d, 12h, 90m or 1h30m \(units s, m, h, d, w\); got /);
  }
});
