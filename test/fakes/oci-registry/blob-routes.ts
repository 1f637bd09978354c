// Blobs and uploads of the in-process registry: GET/HEAD/DELETE of a blob (or a 307 to
// storage), and uploads as the spec has them: POST (a session, a monolithic POST with
// ?digest=, or a cross-repository mount ?mount=&from= answered 201, or 202 with a
// session when the source has no such blob), PATCH chunks (Content-Range checked), PUT
// ?digest= to commit (with a last chunk or none), GET for the progress, DELETE to cancel;
// a body cut off on the way still lands in its session (cutUpload).
import type { RouteContext } from './behaviour.ts';
import { apiError, notAllowed, reply, type Reply, type Request } from './reply.ts';
import { DIGEST, NAME, sha256, type Store } from './store.ts';

export function blobRoute(req: Request, ctx: RouteContext, name: string, reference: string): Reply {
  if (reference.startsWith('uploads/')) return upload(req, ctx, name, reference.slice('uploads/'.length));
  if (!DIGEST.test(reference)) return apiError(400, 'DIGEST_INVALID', { digest: reference });
  const { store, behaviour } = ctx;
  switch (req.method) {
    case 'GET':
    case 'HEAD': {
      const bytes = store.blob(name, reference);
      if (!bytes) return apiError(404, 'BLOB_UNKNOWN', { digest: reference });
      if (behaviour.blobRedirect && req.method === 'GET') return reply(307, { location: behaviour.blobRedirect(name, reference) });
      return reply(
        200,
        {
          'content-type': 'application/octet-stream',
          'docker-content-digest': reference,
          etag: `"${reference}"`,
          'accept-ranges': 'bytes',
        },
        bytes,
      );
    }
    case 'DELETE':
      if (!behaviour.deletes) return notAllowed();
      return store.deleteBlob(name, reference)
        ? reply(202, { 'docker-content-digest': reference })
        : apiError(404, 'BLOB_UNKNOWN', { digest: reference });
    default:
      return notAllowed();
  }
}

function location(req: Request, ctx: RouteContext, path: string): string {
  return `${ctx.behaviour.absoluteLinks ? req.origin : ''}${path}`;
}

function committed(req: Request, ctx: RouteContext, name: string, digest: string): Reply {
  return reply(201, { location: location(req, ctx, `/v2/${name}/blobs/${digest}`), 'docker-content-digest': digest });
}

function session(req: Request, ctx: RouteContext, name: string, id: string, status: number): Reply {
  const size = ctx.store.uploads.get(id)!.size;
  const state = ctx.behaviour.uploadState ? `?_state=${size}` : '';
  return reply(status, {
    location: location(req, ctx, `/v2/${name}/blobs/uploads/${id}${state}`),
    'docker-upload-uuid': id,
    range: `0-${Math.max(size - 1, 0)}`,
  });
}

/** Stores content under digest when it hashes to it; else 400 DIGEST_INVALID. */
function commit(req: Request, ctx: RouteContext, name: string, digest: string | null, content: Buffer): Reply {
  if (digest === null || !DIGEST.test(digest)) return apiError(400, 'DIGEST_INVALID', { digest });
  if (sha256(content) !== digest) return apiError(400, 'DIGEST_INVALID', { digest, actual: sha256(content) });
  ctx.store.putBlob(name, content);
  return committed(req, ctx, name, digest);
}

function upload(req: Request, ctx: RouteContext, name: string, id: string): Reply {
  const { store, behaviour } = ctx;
  const query = req.url.searchParams;
  if (req.method === 'POST' && id === '') {
    const mount = query.get('mount');
    const from = query.get('from');
    if (mount !== null && from !== null && behaviour.mounts && NAME.test(from) && store.blob(from, mount)) {
      store.repository(name, true)!.blobs.add(mount);
      return committed(req, ctx, name, mount);
    }
    if (mount === null && query.get('digest') !== null) return commit(req, ctx, name, query.get('digest'), req.body);
    return session(req, ctx, name, store.startUpload(name), 202);
  }
  const state = store.uploads.get(id);
  if (!state || state.repository !== name) return apiError(404, 'BLOB_UPLOAD_UNKNOWN', { id });
  if (behaviour.uploadState && query.get('_state') !== String(state.size)) return apiError(404, 'BLOB_UPLOAD_INVALID', { id });
  switch (req.method) {
    case 'GET':
      return session(req, ctx, name, id, 204);
    case 'PATCH': {
      const range = /^(\d+)-(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
      if (
        req.headers['content-range'] !== undefined &&
        (!range || Number(range[1]) !== state.size || Number(range[2]) - Number(range[1]) + 1 !== req.body.length)
      ) {
        return reply(
          416,
          { range: `0-${Math.max(state.size - 1, 0)}`, 'content-type': 'application/json' },
          JSON.stringify({ errors: [{ code: 'BLOB_UPLOAD_INVALID', message: 'invalid content range' }] }),
        );
      }
      state.chunks.push(req.body);
      state.size += req.body.length;
      return session(req, ctx, name, id, 202);
    }
    case 'PUT': {
      const content = Buffer.concat([...state.chunks, req.body]);
      const answer = commit(req, ctx, name, query.get('digest'), content);
      if (answer.status === 201 || behaviour.uploadState) store.uploads.delete(id);
      return answer;
    }
    case 'DELETE':
      store.uploads.delete(id);
      return reply(204);
    default:
      return notAllowed();
  }
}

/**
 * A PATCH or PUT to an upload session whose body was cut off (the client went away): its
 * bytes stay in the session, as a registry writes them while they arrive.
 */
export function cutUpload(store: Store, method: string, path: string, received: Buffer): void {
  const id = /\/blobs\/uploads\/([^/]+)$/.exec(path)?.[1];
  const state = id === undefined ? undefined : store.uploads.get(id);
  if (!state || (method !== 'PATCH' && method !== 'PUT') || received.length === 0) return;
  state.chunks.push(received);
  state.size += received.length;
}
