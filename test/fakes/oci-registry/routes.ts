// The distribution API of the in-process registry: which route a request takes and the
// scopes it needs (auth.ts checks them), then manifests, tags, the catalog and the
// referrers API here; blobs and uploads in blob-routes.ts.
import { blobRoute } from './blob-routes.ts';
import type { RouteContext } from './behaviour.ts';
import { apiError, json, notAllowed, reply, type Reply, type Request } from './reply.ts';
import { DIGEST, MANIFEST_TYPES, NAME, TAG, isIndexType, sha256 } from './store.ts';

export interface Route {
  /** Token scopes the request needs; undefined: no authentication (a path that is not the API). */
  scopes: string[] | undefined;
  run(): Reply;
}

const pull = (name: string) => `repository:${name}:pull`;
const push = (name: string) => `repository:${name}:push`;
const remove = (name: string) => `repository:${name}:delete`;
const notFoundPage = (): Reply => reply(404, { 'content-type': 'text/plain; charset=utf-8' }, '404 page not found\n');

export function route(req: Request, ctx: RouteContext): Route {
  const path = req.url.pathname;
  if (path === '/v2/' || path === '/v2') return { scopes: [], run: () => json(200, {}) };
  if (path === '/v2/_catalog') return { scopes: ['registry:catalog:*'], run: () => catalog(req, ctx) };
  const m = /^\/v2\/(.+)\/(manifests\/[^/]+|blobs\/uploads\/[^/]*|blobs\/[^/]+|tags\/list|referrers\/[^/]+)$/.exec(path);
  if (!m) return { scopes: undefined, run: notFoundPage };
  const [name, rest] = [m[1]!, m[2]!];
  const invalid = !NAME.test(name) || name.length > 255;
  const write = req.method === 'PUT' || req.method === 'POST' || req.method === 'PATCH';
  const scopes = [req.method === 'DELETE' ? remove(name) : write ? push(name) : pull(name)];
  const from = req.url.searchParams.get('from');
  if (rest.startsWith('blobs/uploads/') && req.method === 'POST' && from) scopes.push(pull(from));
  const run = (): Reply => {
    if (invalid) return apiError(400, 'NAME_INVALID', { name });
    const [kind, reference] = [rest.slice(0, rest.indexOf('/')), rest.slice(rest.indexOf('/') + 1)];
    if (kind === 'manifests') return manifest(req, ctx, name, reference);
    if (kind === 'tags') return req.method === 'GET' ? tags(req, ctx, name) : notAllowed();
    if (kind === 'referrers') return req.method === 'GET' ? referrers(req, ctx, name, reference) : notAllowed();
    return blobRoute(req, ctx, name, reference);
  };
  return { scopes, run };
}

/** A page of a sorted list after `last`, at most n (or the default) long, with a Link to the next. */
function page(
  req: Request,
  ctx: RouteContext,
  all: readonly string[],
  key: string,
  extra: Record<string, unknown>,
  defaultN?: number,
): Reply {
  const nText = req.url.searchParams.get('n');
  const n = nText === null ? defaultN : Number(nText);
  if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > ctx.behaviour.maxPageSize))
    return apiError(400, 'PAGINATION_NUMBER_INVALID', { n: nText });
  const last = req.url.searchParams.get('last');
  const rest = last === null ? all : all.filter((x) => x > last);
  const size = n === undefined ? rest.length : Math.min(n, ctx.behaviour.pageCap);
  const items = rest.slice(0, size);
  const headers: Record<string, string> = {};
  if (items.length > 0 && items.length < rest.length) {
    const next = `${req.url.pathname}?${new URLSearchParams({ last: items.at(-1)!, n: String(n ?? size) })}`;
    headers.link = `<${ctx.behaviour.absoluteLinks ? req.origin : ''}${next}>; rel="next"`;
  }
  return json(200, { ...extra, [key]: items }, headers);
}

function catalog(req: Request, ctx: RouteContext): Reply {
  if (req.method !== 'GET') return notAllowed();
  if (!ctx.behaviour.catalog) return apiError(404, 'NOT_FOUND');
  return page(req, ctx, ctx.store.catalog(), 'repositories', {}, ctx.behaviour.pageSize);
}

function tags(req: Request, ctx: RouteContext, name: string): Reply {
  const list = ctx.store.tags(name);
  if (list === undefined) return apiError(404, 'NAME_UNKNOWN', { name });
  return page(req, ctx, list, 'tags', { name });
}

function referrers(req: Request, ctx: RouteContext, name: string, digest: string): Reply {
  if (!ctx.behaviour.referrers) return reply(404, { 'content-type': 'text/plain; charset=utf-8' }, '404 page not found\n');
  if (!DIGEST.test(digest)) return apiError(400, 'DIGEST_INVALID', { digest });
  const artifactType = req.url.searchParams.get('artifactType');
  const all = ctx.store.referrers(name, digest);
  const manifests = artifactType === null ? all : all.filter((d) => d.artifactType === artifactType);
  const headers: Record<string, string> = { 'content-type': MANIFEST_TYPES[1] };
  if (artifactType !== null) headers['oci-filters-applied'] = 'artifactType';
  return reply(200, headers, JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST_TYPES[1], manifests }));
}

function manifest(req: Request, ctx: RouteContext, name: string, reference: string): Reply {
  const byDigest = reference.startsWith('sha256:');
  if (byDigest ? !DIGEST.test(reference) : !TAG.test(reference))
    return apiError(400, byDigest ? 'DIGEST_INVALID' : 'TAG_INVALID', { reference });
  const { store, behaviour } = ctx;
  switch (req.method) {
    case 'GET':
    case 'HEAD': {
      if (!store.repository(name)) return apiError(404, 'NAME_UNKNOWN', { name });
      const found = store.manifest(name, reference);
      if (!found) return apiError(404, 'MANIFEST_UNKNOWN', { reference });
      const headers = { 'content-type': found.mediaType, 'docker-content-digest': found.digest, etag: `"${found.digest}"` };
      // HEAD: the same headers, Content-Length included; node sends no body.
      return reply(200, headers, found.bytes);
    }
    case 'PUT':
      return putManifest(req, ctx, name, reference);
    case 'DELETE': {
      if (!behaviour.deletes) return notAllowed();
      if (!byDigest) {
        if (!behaviour.deleteTags) return apiError(400, 'DIGEST_INVALID', { reference });
        return store.deleteTag(name, reference) ? reply(202) : apiError(404, 'MANIFEST_UNKNOWN', { reference });
      }
      return store.deleteManifest(name, reference) ? reply(202) : apiError(404, 'MANIFEST_UNKNOWN', { reference });
    }
    default:
      return notAllowed();
  }
}

function putManifest(req: Request, ctx: RouteContext, name: string, reference: string): Reply {
  const mediaType = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  if (!(MANIFEST_TYPES as readonly string[]).includes(mediaType)) return apiError(400, 'MANIFEST_INVALID', { contentType: mediaType });
  let body: { mediaType?: unknown; schemaVersion?: unknown };
  try {
    body = JSON.parse(req.body.toString('utf8')) as typeof body;
  } catch {
    return apiError(400, 'MANIFEST_INVALID', 'not JSON');
  }
  if (body?.schemaVersion !== 2 || (body.mediaType !== undefined && body.mediaType !== mediaType))
    return apiError(400, 'MANIFEST_INVALID', { mediaType: body?.mediaType });
  const digest = sha256(req.body);
  if (reference.startsWith('sha256:') && reference !== digest) return apiError(400, 'DIGEST_INVALID', { reference, digest });
  const refs = ctx.store.references(req.body);
  if (ctx.behaviour.verifyManifests) {
    const repo = ctx.store.repository(name);
    const missing = isIndexType(mediaType)
      ? refs.manifests.find((d) => !repo?.manifests.has(d))
      : refs.blobs.find((d) => !repo?.blobs.has(d));
    if (missing) return apiError(400, 'MANIFEST_BLOB_UNKNOWN', { digest: missing });
  }
  ctx.store.putManifest(name, reference, req.body, mediaType);
  const headers: Record<string, string> = {
    location: `${ctx.behaviour.absoluteLinks ? req.origin : ''}/v2/${name}/manifests/${digest}`,
    'docker-content-digest': digest,
  };
  if (refs.subject) headers['oci-subject'] = refs.subject;
  return reply(201, headers);
}
