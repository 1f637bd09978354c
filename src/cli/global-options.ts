// The flags that are not one command's: the plugin's own (after `jindr`, before or after
// the command word) and the Docker CLI's global flags, which the Docker CLI passes on
// before the plugin's name (`docker-jindr [DOCKER FLAGS] jindr ARGS`). Data for the one
// parser (parse.ts), help and completion.
import type { Flag } from './command.ts';
import { DEFAULT_REGISTRY, registryHost, type RegistryHost } from '../registry/host.ts';

export { DEFAULT_REGISTRY };

/** The --format words (a template is anything else): for completion. */
export const FORMAT_WORDS = ['table', 'json'] as const;

/** -r, as given: a bad value is a usage error before any request. */
export function registryOption(value: unknown): RegistryHost {
  return registryHost(typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');
}

export const GLOBAL_OPTIONS: Readonly<Record<string, Flag>> = {
  registry: { alias: 'r', type: 'string', default: DEFAULT_REGISTRY, describe: 'The registry to work on, HOST:PORT' },
  // Not `choices`: a Go template is a format too (output/format.ts checks it against the command's fields).
  format: { type: 'string', default: 'table', describe: 'Format output: table, json, or a Go template' },
  debug: { alias: 'D', type: 'boolean', default: false, describe: 'Show debug output and stack traces' },
  // Docker's own flags belong before `jindr`; accepted after it too for `docker-jindr` on its own.
  context: { type: 'string', describe: 'Docker context to use (overrides DOCKER_HOST and the current context)', hidden: true },
  host: { alias: 'H', type: 'string', describe: 'Docker daemon socket to connect to', hidden: true },
  config: { type: 'string', normalize: true, describe: "Location of the Docker client's config files", hidden: true },
  help: { alias: 'h', type: 'boolean', describe: 'Print usage' },
  version: { alias: 'v', type: 'boolean', describe: 'Print version information and quit' },
};

/** The Docker CLI's global flags (docker/cli cli/flags/options.go), as it passes them on before `jindr`. */
export const DOCKER_OPTIONS: Readonly<Record<string, Flag>> = {
  config: { type: 'string', describe: "Location of the Docker client's config files" },
  context: { alias: 'c', type: 'string', describe: 'Name of the context to use' },
  debug: { alias: 'D', type: 'boolean', describe: 'Enable debug mode' },
  host: { alias: 'H', type: 'string', describe: 'Daemon socket to connect to' },
  'log-level': { alias: 'l', type: 'string', describe: 'Set the logging level' },
  tls: { type: 'boolean', describe: 'Use TLS' },
  tlscacert: { type: 'string', describe: 'Trust certs signed only by this CA' },
  tlscert: { type: 'string', describe: 'Path to TLS certificate file' },
  tlskey: { type: 'string', describe: 'Path to TLS key file' },
  tlsverify: { type: 'boolean', describe: 'Use TLS and verify the remote' },
};
