// Tags as semantic versions, for `prune --keep N --semver`: semver.org 2.0.0 precedence,
// with the forms image tags take: an optional leading "v", and MAJOR or MAJOR.MINOR
// standing for MAJOR.0.0 / MAJOR.MINOR.0 ("3", "1.25", "v2.8.3-rc.1+build.5").

export interface Version {
  core: [number, number, number];
  /** Pre-release identifiers: a version with them comes before the same version without. */
  pre: (number | string)[];
}

const VERSION =
  /^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** The version a tag names, or undefined when it names none ("latest", "main-abc123"). */
export function parseVersion(tag: string): Version | undefined {
  const m = VERSION.exec(tag);
  if (!m) return undefined;
  const pre = m[4] === undefined ? [] : m[4].split('.').map((id) => (/^\d+$/.test(id) ? Number(id) : id));
  // Docker tags cannot hold "+": a build part is accepted for completeness, never compared.
  return { core: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], pre };
}

/** semver precedence: negative when a comes before b. Build metadata is ignored. */
export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a.core[i] !== b.core[i]) return a.core[i]! - b.core[i]!;
  if (a.pre.length === 0 || b.pre.length === 0) return (a.pre.length === 0 ? 1 : 0) - (b.pre.length === 0 ? 1 : 0);
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i]!;
    const y = b.pre[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1; // numeric identifiers come before alphanumeric ones
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1; // ASCII order
  }
  return a.pre.length - b.pre.length;
}
