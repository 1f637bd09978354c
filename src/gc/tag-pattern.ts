// Tag patterns of prune's --match, --exclude and --protect: shell-style globs over the
// whole tag, `*` any run of characters (none included), `?` exactly one; everything else
// literal ("v1.*" matches "v1.2" and "v1.", not "v10").

export function globToRegExp(pattern: string): RegExp {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 's');
}

/** Whether tag matches any of the patterns. */
export function matchesAny(tag: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => globToRegExp(p).test(tag));
}
