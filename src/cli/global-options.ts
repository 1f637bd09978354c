// The plugin's own global options (after `jindr`), shared by the parser and completion.
import type { Options } from 'yargs';
import { DEFAULT_REGISTRY, registryHost, type RegistryHost } from '../registry/host.ts';

export { DEFAULT_REGISTRY };

/** The --format words (a template is anything else): for completion. */
export const FORMAT_WORDS = ['table', 'json'] as const;

/** -r, parsed when the arguments are: a bad value is a usage error before any request. Given twice, the last wins (as Docker's flags). */
export function registryOption(value: unknown): RegistryHost {
  const text = Array.isArray(value) ? value.at(-1) : value;
  return registryHost(typeof text === 'string' ? text : String(text ?? ''));
}

export const GLOBAL_OPTIONS: Readonly<Record<string, Options>> = {
  registry: { alias: 'r', type: 'string', default: DEFAULT_REGISTRY, coerce: registryOption, describe: 'The registry to work on, HOST:PORT', global: true },
  // Not `choices`: a Go template is a format too (output/format.ts checks it against the command's fields).
  format: { type: 'string', default: 'table', coerce: (v: unknown) => String(Array.isArray(v) ? v.at(-1) : v), describe: 'Format output: table, json, or a Go template', global: true },
  debug: { alias: 'D', type: 'boolean', default: false, describe: 'Show debug output and stack traces', global: true },
  // Docker's own flags belong before `jindr`; accepted after it too for `docker-jindr` on its own.
  context: { type: 'string', describe: 'Docker context to use (overrides DOCKER_HOST and the current context)', global: true, hidden: true },
  host: { alias: 'H', type: 'string', describe: 'Docker daemon socket to connect to', global: true, hidden: true },
  config: { type: 'string', describe: "Location of the Docker client's config files", global: true, hidden: true },
};
