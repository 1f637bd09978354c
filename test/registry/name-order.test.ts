// The quick order of names (src/registry/name-order.ts) says what ICU's collator says,
// whenever it says anything: random names over the characters registries use, with
// numbers, shared prefixes and leading zeros; and names it cannot judge are left alone.
import test from 'ava';
import { quickOrder } from '../../src/registry/name-order.ts';
import { compareTags } from '../../src/registry/images.ts';

const collator = new Intl.Collator('en', { numeric: true });
const sign = (n: number): number => Math.sign(n);

function randomName(random: () => number): string {
  const alphabet = 'abcz0123456789._-/';
  const length = Math.floor(random() * 9);
  let name = '';
  for (let i = 0; i < length; i++) name += alphabet[Math.floor(random() * alphabet.length)];
  return random() < 0.3 ? `app${name}` : name;
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

test('on 200000 random pairs, whenever the quick order answers, the collator agrees', (t) => {
  const random = seeded(42);
  let answered = 0;
  for (let n = 0; n < 200_000; n++) {
    const a = randomName(random);
    const b = random() < 0.2 ? a.replace(/\d/, '0$&') : randomName(random);
    const quick = quickOrder(a, b);
    if (quick === undefined) continue;
    answered += 1;
    if (quick !== sign(collator.compare(a, b)))
      t.fail(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: quick ${quick}, collator ${collator.compare(a, b)}`);
  }
  t.true(answered > 150_000, `answered ${answered}`); // ties (the leading zeros made above) are the collator's
});

test('examples, and what it leaves to the collator', (t) => {
  t.is(quickOrder('app2', 'app10'), -1);
  t.is(quickOrder('a-b', 'a_b'), 1);
  t.is(quickOrder('a', 'a-'), -1);
  t.is(quickOrder('team/app', 'team-app'), 1);
  t.is(quickOrder('v1.10', 'v1.9'), 1);
  t.is(quickOrder('app02', 'app2'), undefined); // a tie at the first level
  t.is(quickOrder('Latest', 'latest'), undefined); // capitals: the collator's business
  t.is(quickOrder('b', 'aX'), undefined); // even after the first difference
  t.is(quickOrder('app007', 'app8'), -1); // numbers by value, leading zeros skipped
  t.is(quickOrder('v1.0', 'v1.00'), undefined);
  t.deepEqual(['v10', 'V2', 'v2', 'latest', 'v1'].sort(compareTags), ['latest', 'v1', 'v2', 'V2', 'v10']);
});
