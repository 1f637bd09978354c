// What a referrer is, as docker-jindr shows it: types only, no imports, so that the page
// (src/ui/page, bundled for the browser) can use them through src/ui/api-types.ts.

export type ReferrerKind = 'signature' | 'sbom' | 'attestation' | 'artifact';

export interface ReferrerNode {
  digest: string;
  mediaType: string;
  artifactType?: string;
  kind: ReferrerKind;
  size: number;
  /** Where it was found: the referrers API, the fallback tag (sha256-<hex>), a cosign tag, or the image's own index (buildx). */
  via: 'api' | 'tag' | 'index';
  tag?: string;
  /** For an attestation inside an index: the platform it is about. */
  about?: string;
  annotations?: Record<string, string>;
  children: ReferrerNode[];
}
