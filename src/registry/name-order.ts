// The order of repository names and tags, "app2" before "app10": ICU's collation for
// English with numeric ordering (Intl.Collator('en', { numeric: true })). Making that
// collator costs a few milliseconds (ICU's data), which `ls` paid to sort two names. For
// the names registries mostly hold (lower-case letters, digits, . _ - /) the collator's
// first-level order is simple enough to follow here: _ < - < . < / < numbers (by value)
// < letters (alphabetically), character by character, a prefix first. Anything else, or
// two names that tie at that level ("app02" and "app2"), is left to the collator.
// test/registry/name-order.test.ts compares the two on random names.

const PLAIN = /^[a-z0-9._/-]*$/;
const PUNCTUATION: Record<number, number> = { 95: 1, 45: 2, 46: 3, 47: 4 }; // _ - . /
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** -1, 0 or 1 as the collator would say it, or undefined when only the collator can. */
export function quickOrder(a: string, b: string): number | undefined {
  if (!PLAIN.test(a) || !PLAIN.test(b)) return undefined;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      let ej = j;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei += 1;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej += 1;
      const na = a.slice(i, ei).replace(/^0+/, '');
      const nb = b.slice(j, ej).replace(/^0+/, '');
      if (na.length !== nb.length) return na.length < nb.length ? -1 : 1;
      if (na !== nb) return na < nb ? -1 : 1;
      i = ei;
      j = ej;
      continue;
    }
    // Letters weigh their code (above digits); digits 10, punctuation 1-4.
    const wa = isDigit(ca) ? 10 : (PUNCTUATION[ca] ?? ca);
    const wb = isDigit(cb) ? 10 : (PUNCTUATION[cb] ?? cb);
    if (wa !== wb) return wa < wb ? -1 : 1;
    i += 1;
    j += 1;
  }
  if (i < a.length) return 1;
  if (j < b.length) return -1;
  return a === b ? 0 : undefined;
}
