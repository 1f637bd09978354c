// lsi's view of referrers: the rows of cosign's tags (sha256-<hex>.sig/.att/.sbom), of the
// fallback tag (sha256-<hex>, an index of referrers) and of tagged manifests with a
// `subject` (tagged, or untagged ones the referrers API names: rows with tag '')
// become entries under the image they are about, each with its own referrers under
// it (a signature of an SBOM). A referrer whose subject no listed tag reaches stays a row of
// its own, marked with referrerOf. Pure: listed rows in, grouped rows out.
import type { TagSummary } from './images.ts';
import { referrerKind } from './referrers.ts';
import { cosignKind, referrerTagOf } from './referrer-tags.ts';
import type { ReferrerKind } from './referrer-types.ts';

export interface ListedReferrer {
  digest: string;
  kind: ReferrerKind;
  artifactType?: string;
  /** The tag it was found by: its own cosign tag, the fallback tag listing it, or a tag of its own; '': the referrers API alone. */
  tag: string;
  referrers: ListedReferrer[];
}

export type Grouped<T> = T & { referrers?: ListedReferrer[]; referrerOf?: string };

/** Which name of a referrer listed twice is kept: its own tag, else the fallback tag listing it, else none (the referrers API's). */
function rank(tag: string): number {
  if (tag === '') return 0;
  const named = referrerTagOf(tag);
  return named !== undefined && named.suffix === undefined ? 1 : 2;
}

interface Found {
  item: ListedReferrer;
  subject: string;
  row: number;
}

/** The referrers a row stands for (none: an ordinary image), each with the digest it is about. */
function referrersIn(row: TagSummary, index: number): Found[] {
  const named = referrerTagOf(row.tag);
  if (named !== undefined && named.suffix === undefined && row.kind === 'index') {
    // The fallback tag: its index lists the referrers of its subject.
    return row.entries.map((e) => ({
      item: {
        digest: e.digest,
        kind: referrerKind(e.artifactType),
        ...(e.artifactType !== undefined ? { artifactType: e.artifactType } : {}),
        tag: row.tag,
        referrers: [],
      },
      subject: named.subject,
      row: index,
    }));
  }
  const subject = named?.subject ?? row.subject;
  if (subject === undefined || row.error !== undefined) return [];
  const kind = cosignKind(row.tag) ?? referrerKind(row.artifactType);
  const item: ListedReferrer = { digest: row.digest, kind, tag: row.tag, referrers: [] };
  if (row.artifactType !== undefined) item.artifactType = row.artifactType;
  return [{ item, subject, row: index }];
}

/** The rows with referrers under their subjects (rows of one listing: any registries and repositories). */
export function groupReferrers<T extends TagSummary & { registry?: string }>(rows: readonly T[]): Grouped<T>[] {
  const where = (r: T): string => `${r.registry ?? ''}/${r.repository}`;
  const found = rows.flatMap((r, i) => referrersIn(r, i));
  const referrerRows = new Set(found.map((f) => f.row));
  for (const [i, r] of rows.entries()) if (referrerTagOf(r.tag) !== undefined) referrerRows.add(i);

  // What a digest is, per repository: the image rows it is (or is a platform of), the referrers it is.
  const images = new Map<string, number[]>();
  const addImage = (key: string, i: number): void => {
    const list = images.get(key) ?? [];
    if (!list.includes(i)) list.push(i);
    images.set(key, list);
  };
  for (const [i, r] of rows.entries()) {
    if (referrerRows.has(i) || r.digest === '') continue;
    addImage(`${where(r)}@${r.digest}`, i);
    for (const e of r.entries) addImage(`${where(r)}@${e.digest}`, i);
  }
  const items = new Map<string, ListedReferrer>();
  for (const f of found) {
    const key = `${where(rows[f.row]!)}@${f.item.digest}`;
    const seen = items.get(key);
    // Listed both by a tag of its own and by the fallback index: one entry, the tag its own.
    if (seen === undefined || rank(f.item.tag) > rank(seen.tag)) items.set(key, f.item);
  }

  const attached = new Map<number, ListedReferrer[]>();
  const orphans = new Map<number, string>();
  const placed = new Set<string>();
  for (const f of found) {
    const repo = where(rows[f.row]!);
    const item = items.get(`${repo}@${f.item.digest}`)!;
    const subjectKey = `${repo}@${f.subject}`;
    const placedKey = `${subjectKey}>${item.digest}`;
    if (placed.has(placedKey)) continue;
    const imageRows = images.get(subjectKey);
    const parent = items.get(subjectKey);
    if (imageRows !== undefined) {
      for (const i of imageRows) attached.set(i, [...(attached.get(i) ?? []), item]);
    } else if (parent !== undefined && parent !== item) {
      parent.referrers.push(item);
    } else {
      orphans.set(f.row, f.subject);
      continue;
    }
    placed.add(placedKey);
  }
  for (const [i, r] of rows.entries()) {
    const named = referrerTagOf(r.tag);
    if (named !== undefined && !found.some((f) => f.row === i)) orphans.set(i, named.subject);
  }
  // A row stays when it is an image, or a referrer nothing listed here is about.
  const byKind = (a: ListedReferrer, b: ListedReferrer): number => a.kind.localeCompare(b.kind) || a.tag.localeCompare(b.tag);
  for (const item of items.values()) item.referrers.sort(byKind);
  return rows.flatMap((r, i): Grouped<T>[] => {
    if (orphans.has(i)) return [{ ...r, referrerOf: orphans.get(i)! }];
    if (referrerRows.has(i)) return [];
    const list = attached.get(i);
    return [list === undefined ? r : { ...r, referrers: [...list].sort(byKind) }];
  });
}

/** --all: every row as listed, a referrer's marked with the digest it is about. */
export function markReferrers<T extends TagSummary>(rows: readonly T[]): Grouped<T>[] {
  return rows.map((r) => {
    const subject = referrerTagOf(r.tag)?.subject ?? r.subject;
    return subject === undefined ? r : { ...r, referrerOf: subject };
  });
}

/** The REFERRERS cell: the kinds under an image, with a count when more than one ("sbom, signature x2"). */
export function referrerSummary(list: readonly ListedReferrer[] | undefined): string {
  if (list === undefined || list.length === 0) return '';
  const counts = new Map<string, number>();
  const walk = (items: readonly ListedReferrer[]): void => {
    for (const item of items) {
      counts.set(item.kind, (counts.get(item.kind) ?? 0) + 1);
      walk(item.referrers);
    }
  };
  walk(list);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => (n > 1 ? `${kind} x${n}` : kind))
    .join(', ');
}
