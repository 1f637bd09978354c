// The order of repository names and tags, "app2" before "app10": ICU's collation for
// English with numeric ordering (Intl.Collator('en', { numeric: true })). The first
// collator a process makes loads ICU's collation data, some 10 ms of CPU, which `ls`
// would pay to sort a handful of names. For the names registries mostly hold (lower-case
// letters, digits, . _ - /) the collator's first-level order is simple enough to follow
// here: _ < - < . < / < numbers (by value) < letters (alphabetically), character by
// character, a prefix first. Anything else, or two names that tie at that level ("app02"
// and "app2"), is left to the collator. One pass over both names, no regular expression
// and no substring, so that sorting lsi's 5000 names is quicker than the collator too.
// test/registry/name-order.test.ts compares the two on random names; `npm run bench --
// name-order` measures both in the executable.

/** The first-level weight of a plain character: punctuation 1-4, digits 10, letters their code; 0 for anything else. */
function weight(c: number): number {
  if (c >= 97 && c <= 122) return c; // a-z
  if (c >= 48 && c <= 57) return 10; // 0-9
  if (c === 95) return 1; // _
  if (c === 45) return 2; // -
  if (c === 46) return 3; // .
  if (c === 47) return 4; // /
  return 0;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** -1, 0 or 1 as the collator would say it, or undefined when only the collator can. */
export function quickOrder(a: string, b: string): number | undefined {
  let order = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const wa = weight(a.charCodeAt(i));
    const wb = weight(b.charCodeAt(j));
    if (wa === 0 || wb === 0) return undefined;
    if (wa === 10 && wb === 10) {
      // Two numbers: by value (leading zeros skipped), then by their digits.
      while (i < a.length - 1 && a.charCodeAt(i) === 48 && isDigit(a.charCodeAt(i + 1))) i += 1;
      while (j < b.length - 1 && b.charCodeAt(j) === 48 && isDigit(b.charCodeAt(j + 1))) j += 1;
      let ei = i;
      let ej = j;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei += 1;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej += 1;
      if (order === 0 && ei - i !== ej - j) order = ei - i < ej - j ? -1 : 1;
      for (let k = 0; order === 0 && k < ei - i; k++) {
        const da = a.charCodeAt(i + k);
        const db = b.charCodeAt(j + k);
        if (da !== db) order = da < db ? -1 : 1;
      }
      i = ei;
      j = ej;
      continue;
    }
    if (order === 0 && wa !== wb) order = wa < wb ? -1 : 1;
    i += 1;
    j += 1;
  }
  // The rest must be plain too: a capital or an accent further on is the collator's business.
  for (let k = i; k < a.length; k++) if (weight(a.charCodeAt(k)) === 0) return undefined;
  for (let k = j; k < b.length; k++) if (weight(b.charCodeAt(k)) === 0) return undefined;
  if (order !== 0) return order;
  if (i < a.length) return 1;
  if (j < b.length) return -1;
  return a === b ? 0 : undefined;
}
