// Completing IMAGE, REPO and TAG arguments from the registry itself: its catalog and tag
// lists, from -r as typed on the line (else the default), or from the registry a typed
// word names (localhost:5002/app). Quick or nothing: a short deadline, no retries, and
// any failure (no registry, a login needed, garbage) just means no names are offered.
import { dockerRegistryClients } from '../docker/registry-clients.ts';
import { listRepositories, listTags } from '../registry/catalog.ts';
import { compareTags } from '../registry/images.ts';
import type { RegistryClient } from '../registry/client.ts';
import { splitDomain } from '../registry/host.ts';
import type { Flag, JindrCommand } from './command.ts';
import { completionTarget, completions, type CompletionTarget } from './complete.ts';
import { DEFAULT_REGISTRY } from './global-options.ts';

/** How long completion may wait for a registry, at most (JINDR_TIMEOUT_MS may shorten it). */
export const COMPLETION_DEADLINE_MS = 2000;

export interface RegistryLister {
  repositories(): Promise<string[]>;
  tags(repository: string): Promise<string[]>;
}

/** A human order: v2 before v10, as lsi lists them. */
const byName = compareTags;

/**
 * The names a word may complete to: repositories ("app"), images ("app" and "app:v1"),
 * or tags of the image's repository; with the word's registry prefix when it has one.
 */
export async function registryCandidates(
  target: CompletionTarget,
  lister: (host: string) => RegistryLister,
  defaultRegistry = DEFAULT_REGISTRY,
): Promise<string[]> {
  const registry = target.registry ?? defaultRegistry;
  if (target.kind === 'tag') {
    const { domain: host, rest } = splitDomain(target.image);
    const repository = rest.replace(/@.*$/, '').replace(/:[^/]*$/, '');
    return (await lister(host ?? registry).tags(repository)).filter((t) => t.startsWith(target.current)).sort(byName);
  }
  const { domain: host, rest } = splitDomain(target.current);
  const prefix = host === undefined ? '' : `${host}/`;
  const list = lister(host ?? registry);
  const colon = rest.indexOf(':');
  if (target.kind === 'image' && colon !== -1) {
    const repository = rest.slice(0, colon);
    return (await list.tags(repository))
      .map((t) => `${prefix}${repository}:${t}`)
      .filter((c) => c.startsWith(target.current))
      .sort(byName);
  }
  const repositories = (await list.repositories()).filter((r) => r.startsWith(rest)).sort(byName);
  if (target.kind === 'repo') return repositories.map((r) => prefix + r);
  // Each repository, then its tags; a tag list that fails or comes too late is left out.
  const tags = await Promise.allSettled(repositories.map((r) => list.tags(r)));
  return repositories.flatMap((r, i) => {
    const found = tags[i];
    return [prefix + r, ...(found?.status === 'fulfilled' ? found.value.sort(byName).map((t) => `${prefix}${r}:${t}`) : [])];
  });
}

function deadlineMs(env: NodeJS.ProcessEnv): number {
  const configured = Number(env.JINDR_TIMEOUT_MS);
  return Number.isInteger(configured) && configured > 0 ? Math.min(configured, COMPLETION_DEADLINE_MS) : COMPLETION_DEADLINE_MS;
}

/**
 * cobra's answer for `__complete jindr ARGS`: the commands and options of completions(),
 * plus, for an IMAGE, REPO or TAG argument, the names the registry holds.
 */
export async function completeWithRegistry(
  commands: readonly JindrCommand[],
  globals: Readonly<Record<string, Flag>>,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  dockerConfigFlag: string | undefined,
): Promise<string> {
  const text = completions(commands, globals, args);
  const target = completionTarget(commands, globals, args);
  if (!target) return text;
  const timeoutMs = deadlineMs(env);
  const signal = AbortSignal.timeout(timeoutMs);
  const clients: RegistryClient[] = [];
  let found: string[] = [];
  try {
    // Made as commands make theirs (Docker's logins and certs.d), quick or nothing.
    const open = dockerRegistryClients({ env, configFlag: dockerConfigFlag, signal, defaults: { timeoutMs, retries: 0 } });
    const lister = (host: string): RegistryLister => {
      const client = open(host);
      clients.push(client);
      return { repositories: () => listRepositories(client, signal), tags: (r) => listTags(client, r, signal) };
    };
    found = await registryCandidates(target, lister);
  } catch {
    // No registry answers, it wants a login we lack, or it is slow: no names, no message.
  } finally {
    // Not awaited: a connection still open to a registry that never answered must not hold us up.
    for (const c of clients) void c.close().catch(() => {});
  }
  if (found.length === 0) return text;
  const lines = text.trimEnd().split('\n');
  return [...lines.slice(0, -1), ...found, lines.at(-1)].join('\n') + '\n';
}
