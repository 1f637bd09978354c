// REPO... arguments of the commands that work on one registry at a time (du, prune):
// names in the registry of -r unless they name one, and all in the same registry.
import { parseRepositoryName } from '../registry/reference.ts';
import type { RegistryHost } from '../registry/host.ts';
import { UsageError } from '../errors.ts';

export function oneRegistry(
  args: readonly string[] | undefined,
  defaultRegistry: RegistryHost,
): { registry: string; repositories: string[] } {
  const names = (args ?? []).map((a) => parseRepositoryName(a, defaultRegistry));
  const registries = [...new Set(names.map((n) => n.registry))];
  if (registries.length > 1) throw new UsageError(`name repositories of one registry at a time (got ${registries.join(' and ')})`);
  return { registry: registries[0] ?? defaultRegistry.name, repositories: [...new Set(names.map((n) => n.repository))] };
}
