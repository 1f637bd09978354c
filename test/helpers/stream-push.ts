// Big blobs for memory tests and benchmarks, never held whole: random bytes made as they are
// read, and a blob uploaded from a stream in one PATCH (POST, PATCH streamed, PUT ?digest=),
// hashed on the way.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export interface StreamedBlob {
  mediaType: string;
  digest: string;
  size: number;
}

/** `bytes` random bytes, made a MiB at a time as they are read. */
export function randomStream(bytes: number): Readable {
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(1 << 20, left);
      left -= n;
      this.push(randomBytes(n));
    },
  });
}

/** Uploads a stream as one blob to http://HOST/v2/REPO and returns its descriptor. */
export async function pushBlobStream(host: string, repo: string, body: Readable, mediaType: string): Promise<StreamedBlob> {
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`POST ${repo} upload: ${start.status}`);
  const hash = createHash('sha256');
  let size = 0;
  const counted = body.map((chunk: Buffer) => {
    hash.update(chunk);
    size += chunk.length;
    return chunk;
  });
  const patch = await fetch(new URL(start.headers.get('location')!, `http://${host}/`), {
    method: 'PATCH',
    body: Readable.toWeb(counted) as ReadableStream,
    headers: { 'content-type': 'application/octet-stream' },
    duplex: 'half',
  });
  if (patch.status !== 202) throw new Error(`PATCH ${repo} upload: ${patch.status}`);
  const digest = 'sha256:' + hash.digest('hex');
  const commit = new URL(patch.headers.get('location')!, `http://${host}/`);
  commit.searchParams.set('digest', digest);
  const put = await fetch(commit, { method: 'PUT' });
  if (put.status !== 201) throw new Error(`PUT ${digest}: ${put.status}`);
  return { mediaType, digest, size };
}
