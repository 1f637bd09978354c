// The plugin's own global options (after `jindr`), shared by the parser and completion.
import type { Options } from 'yargs';

export const DEFAULT_REGISTRY = 'localhost:5001';

export const GLOBAL_OPTIONS: Readonly<Record<string, Options>> = {
  registry: { alias: 'r', type: 'string', default: DEFAULT_REGISTRY, describe: 'The registry to work on, HOST:PORT', global: true },
  format: { type: 'string', choices: ['table', 'json'], default: 'table', describe: 'Output format of reporting commands', global: true },
  debug: { alias: 'D', type: 'boolean', default: false, describe: 'Show debug output and stack traces', global: true },
  // Docker's own flags belong before `jindr`; accepted after it too for `docker-jindr` on its own.
  context: { type: 'string', describe: 'Docker context to use (overrides DOCKER_HOST and the current context)', global: true, hidden: true },
  host: { alias: 'H', type: 'string', describe: 'Docker daemon socket to connect to', global: true, hidden: true },
  config: { type: 'string', describe: "Location of the Docker client's config files", global: true, hidden: true },
};
