// The JSON API the page calls (under /api/, behind the guard): names are checked with the
// command line's own grammar before anything reaches the registry, and errors become a
// status and their one-line message (never a stack trace).
import {
  EngineUnreachableError,
  InterruptedError,
  NotFoundError,
  RefusedError,
  RegistryError,
  ResourceError,
  UsageError,
  errorMessage,
} from '../errors.ts';
import { isDigest, parseReference, quote } from '../registry/reference.ts';
import type { DeleteRequest, PruneRequest, RefusedAnswer } from './api-types.ts';
import type { ApiHandler, ApiResult } from './server.ts';
import { DeleteRefusedError, type UiService } from './service.ts';

export function statusOf(err: unknown): number {
  if (err instanceof UsageError) return 400;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof RefusedError || err instanceof ResourceError) return 409;
  if (err instanceof EngineUnreachableError || err instanceof InterruptedError) return 503;
  if (err instanceof RegistryError) return 502;
  return 500;
}

/** A repository name (and tag or digest) of the registry the page shows, or a UsageError. */
function checkName(registry: string, repository: unknown, reference?: unknown): void {
  if (typeof repository !== 'string' || repository === '') throw new UsageError('name a repository');
  if (reference !== undefined && (typeof reference !== 'string' || reference === '')) throw new UsageError('name a tag or digest');
  const text = reference === undefined ? repository : `${repository}${isDigest(reference) ? '@' : ':'}${reference}`;
  const parsed = parseReference(text, registry);
  if (parsed.registry !== registry || parsed.repository !== repository)
    throw new UsageError(`${quote(repository)} is not a repository of ${registry}`);
}

function param(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === '') throw new UsageError(`the ${name} parameter is missing`);
  return value;
}

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new UsageError('the request body must be a JSON object');
  return body as Record<string, unknown>;
}

function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new UsageError(`${name} must be a list of strings`);
  return value;
}

export function deleteRequest(registry: string, body: unknown): DeleteRequest {
  const b = object(body);
  checkName(registry, b.repository, b.tag ?? '');
  if (isDigest(b.tag as string)) throw new UsageError('name a tag to delete, not a digest');
  if (b.force !== undefined && typeof b.force !== 'boolean') throw new UsageError('force must be true or false');
  return { repository: b.repository as string, tag: b.tag as string, force: b.force === true };
}

export function pruneRequest(registry: string, body: unknown): PruneRequest {
  const b = object(body);
  if (typeof b.dryRun !== 'boolean') throw new UsageError('dryRun must be true or false');
  const request: PruneRequest = { dryRun: b.dryRun };
  const repositories = stringList(b.repositories, 'repositories');
  if (repositories) {
    for (const r of repositories) checkName(registry, r);
    request.repositories = repositories;
  }
  if (b.keep !== undefined) {
    if (typeof b.keep !== 'number' || !Number.isInteger(b.keep) || b.keep < 0)
      throw new UsageError('keep must be a whole number, 0 or more');
    request.keep = b.keep;
  }
  if (b.semver !== undefined) request.semver = b.semver === true;
  if (b.olderThan !== undefined) {
    if (typeof b.olderThan !== 'string') throw new UsageError('olderThan must be a duration such as 30d or 12h');
    request.olderThan = b.olderThan;
  }
  for (const key of ['match', 'exclude', 'protect'] as const) {
    const list = stringList(b[key], key);
    if (list) request[key] = list;
  }
  return request;
}

async function route(service: UiService, registry: string, key: string, query: URLSearchParams, body: unknown): Promise<ApiResult> {
  const ok = (value: unknown): ApiResult => ({ status: 200, body: value });
  switch (key) {
    case 'GET info':
      return ok(await service.info());
    case 'GET repositories':
      return ok(await service.repositories());
    case 'GET tags': {
      const repository = param(query, 'repository');
      checkName(registry, repository);
      return ok(await service.tags(repository));
    }
    case 'GET image': {
      const repository = param(query, 'repository');
      const reference = param(query, 'reference');
      checkName(registry, repository, reference);
      return ok(await service.image(repository, reference));
    }
    case 'GET usage':
      return ok(await service.usage());
    case 'POST refresh':
      service.refresh();
      return ok({});
    case 'POST delete':
      return ok(await service.deleteTag(deleteRequest(registry, body)));
    case 'POST gc': {
      const b = object(body);
      if (typeof b.dryRun !== 'boolean') throw new UsageError('dryRun must be true or false');
      return ok(await service.gc(b.dryRun));
    }
    case 'POST prune':
      return ok(await service.prune(pruneRequest(registry, body)));
    default:
      return { status: 404, body: { error: `no API ${key}` } };
  }
}

/** The API over a service for the registry `registry` (HOST:PORT). */
export function apiRoutes(service: UiService, registry: string): ApiHandler {
  return async (method, path, query, body) => {
    try {
      return await route(service, registry, `${method === 'HEAD' ? 'GET' : method} ${path}`, query, body);
    } catch (err) {
      if (err instanceof DeleteRefusedError) {
        const answer: RefusedAnswer = { error: err.message, refused: true, collateral: err.collateral };
        return { status: 409, body: answer };
      }
      return { status: statusOf(err), body: { error: errorMessage(err) } };
    }
  };
}
