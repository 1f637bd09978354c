// Signatures, SBOMs and attestations of an image as a tree: nested lists, each referrer
// with its own referrers under it.
import type { ReferrerNode } from '../api-types.ts';
import { formatBytes, shortDigest } from './format.ts';

const VIA: Record<ReferrerNode['via'], string> = { api: 'referrers API', tag: 'tag', index: "the image's index" };

function Node({ n }: { n: ReferrerNode }) {
  return (
    <li data-kind={n.kind}>
      <span class={`badge ${n.kind}`}>{n.kind}</span> <code title={n.digest}>{shortDigest(n.digest)}</code>
      {n.about ? <> for {n.about}</> : null}
      {n.artifactType ? <span class="muted"> · {n.artifactType}</span> : null}
      <span class="muted">
        {' '}
        · {formatBytes(n.size)} · from {n.tag ? `tag ${n.tag}` : VIA[n.via]}
      </span>
      {n.children.length ? (
        <ul>
          {n.children.map((c) => (
            <Node n={c} key={c.digest} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

export function Referrers({ nodes }: { nodes: ReferrerNode[] }) {
  if (nodes.length === 0) return <p class="muted">Nothing refers to this image (no signature, SBOM or attestation).</p>;
  return (
    <ul class="tree" aria-labelledby="referrers-title">
      {nodes.map((n) => (
        <Node n={n} key={n.digest} />
      ))}
    </ul>
  );
}
