// Which tags belong to referrers rather than to images: cosign's sha256-<hex>.sig, .att and
// .sbom, and the referrers tag schema's fallback sha256-<hex> (an index of the referrers of
// the manifest sha256:<hex>). Pure: tag names in, subjects out. lsi groups these under their
// subject, prune never counts them among a repository's images, rmi/prune/gc remove them
// with their subject and cp carries them (referrer-copy.ts).
import type { ReferrerKind } from './referrer-types.ts';

const REFERRER_TAG = /^sha256-([0-9a-f]{64})(?:\.(sig|att|sbom))?$/;

export interface ReferrerTag {
  /** The digest the tag is about: sha256:<hex>. */
  subject: string;
  /** cosign's suffix; undefined: the fallback tag (an index of referrers). */
  suffix?: 'sig' | 'att' | 'sbom';
}

const SUFFIX_KINDS: Record<string, ReferrerKind> = { sig: 'signature', att: 'attestation', sbom: 'sbom' };

/** The subject a referrer tag names, or undefined for an ordinary tag. */
export function referrerTagOf(tag: string): ReferrerTag | undefined {
  const m = REFERRER_TAG.exec(tag);
  if (!m) return undefined;
  return m[2] === undefined ? { subject: `sha256:${m[1]}` } : { subject: `sha256:${m[1]}`, suffix: m[2] as 'sig' | 'att' | 'sbom' };
}

export function isReferrerTag(tag: string): boolean {
  return REFERRER_TAG.test(tag);
}

/** What a cosign tag's suffix says it holds (undefined for the fallback tag or an ordinary tag). */
export function cosignKind(tag: string): ReferrerKind | undefined {
  const suffix = referrerTagOf(tag)?.suffix;
  return suffix === undefined ? undefined : SUFFIX_KINDS[suffix];
}

/** Of `tags`, those holding referrers of `digest`: its fallback tag and its cosign tags. */
export function referrerTagsFor(digest: string, tags: Iterable<string>): string[] {
  const out: string[] = [];
  for (const tag of tags) if (referrerTagOf(tag)?.subject === digest) out.push(tag);
  return out.sort();
}
