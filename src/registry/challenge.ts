// WWW-Authenticate challenges (RFC 7235) as registries send them:
//   Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"
// One header may hold several challenges ("Basic realm=x, Bearer realm=y"), and
// quoted values may contain commas and colons, so this is a small tokenizer rather
// than a split.

export interface Challenge {
  /** Lower-case scheme: "basic", "bearer", ... */
  scheme: string;
  /** Parameter names lower-cased; values unquoted. */
  params: Record<string, string>;
}

export function parseChallenges(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  if (typeof header !== 'string') return header.flatMap((h) => parseChallenges(h));
  const challenges: Challenge[] = [];
  let i = 0;
  const skip = (re: RegExp): void => {
    while (i < header.length && re.test(header[i]!)) i += 1;
  };
  const token = (): string => {
    const start = i;
    while (i < header.length && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(header[i]!)) i += 1;
    return header.slice(start, i);
  };
  while (i < header.length) {
    skip(/[\s,]/);
    const scheme = token();
    if (scheme === '') {
      i += 1; // garbage: step over it
      continue;
    }
    const current: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(current);
    for (;;) {
      skip(/\s/);
      const mark = i;
      const name = token();
      skip(/\s/);
      if (name === '' || header[i] !== '=') {
        i = mark; // not a parameter: the next challenge's scheme (or the end)
        break;
      }
      i += 1;
      skip(/\s/);
      let value: string;
      if (header[i] === '"') {
        i += 1;
        value = '';
        while (i < header.length && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < header.length) i += 1;
          value += header[i];
          i += 1;
        }
        i += 1;
      } else {
        const start = i;
        while (i < header.length && !/[\s,]/.test(header[i]!)) i += 1;
        value = header.slice(start, i);
      }
      current.params[name.toLowerCase()] = value;
      skip(/\s/);
      if (header[i] === ',') {
        i += 1;
        continue;
      }
      break;
    }
  }
  return challenges;
}
