// How the in-process registry behaves where real registries differ. The defaults are
// distribution 3.x (registry:3, what `docker jindr start` runs): deletes enabled,
// DELETE by tag untags, mounts, a catalog of 100 per page, relative Link headers.
import type { Store } from './store.ts';

export interface Behaviour {
  /** storage.delete.enabled; off: every DELETE is 405 UNSUPPORTED. */
  deletes: boolean;
  /** DELETE /manifests/<tag> untags (3.x); off: 400 DIGEST_INVALID, as 2.x answers. */
  deleteTags: boolean;
  /** Cross-repository mounts; off: a mount request opens an upload (202), as ECR does. */
  mounts: boolean;
  /** GET /v2/_catalog; off: 404, as registries without a catalog (Docker Hub) answer. */
  catalog: boolean;
  /** The referrers API (off: 404, as distribution 2.x). */
  referrers: boolean;
  /** Page size of the catalog when the client gives no n (distribution: 100). */
  pageSize: number;
  /** The largest n accepted (distribution 2.8.2+: 1000; more is 400 PAGINATION_NUMBER_INVALID). */
  maxPageSize: number;
  /** The largest page actually sent whatever n asks (a server capping pages below n). */
  pageCap: number;
  /** Link and Location headers as absolute URLs instead of paths. */
  absoluteLinks: boolean;
  /** A manifest PUT must reference blobs and manifests the repository has (distribution checks). */
  verifyManifests: boolean;
  /**
   * Upload sessions as distribution keeps them: each Location carries the session's state
   * (`_state`, its offset), and a request with another offset than the data's is refused
   * (404 BLOB_UPLOAD_INVALID, the session kept, as 2.8.2 does); a failed commit cancels the
   * session. Off: any request naming a session is served.
   */
  uploadState: boolean;
  /** Blob GETs answer 307 to this URL (storage behind a redirect, as S3 or a CDN). */
  blobRedirect?: (repository: string, digest: string) => string;
}

export const DEFAULT_BEHAVIOUR: Behaviour = {
  deletes: true,
  deleteTags: true,
  mounts: true,
  catalog: true,
  referrers: true,
  pageSize: 100,
  maxPageSize: 1000,
  pageCap: Infinity,
  absoluteLinks: false,
  verifyManifests: true,
  uploadState: false,
};

/** What a route gets besides the request. */
export interface RouteContext {
  store: Store;
  behaviour: Behaviour;
}
