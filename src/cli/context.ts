// What every command handler receives: parsed global options and the edges of the
// world (streams, environment, engine), so handlers never reach for globals.
import type { DockerGlobals } from '../engine/globals.ts';
import type { Engine } from '../engine/engine.ts';
import type { PasswordInput } from '../security/passwords.ts';
import type { RegistryHost } from '../registry/host.ts';

/** --format as given: 'table' (the default), 'json', or a template (output/format.ts). */
export type OutputFormat = 'table' | 'json' | (string & {});

export interface Sink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface Context {
  /** The registry the command works on (-r/--registry), parsed when the arguments were. */
  registry: RegistryHost;
  format: OutputFormat;
  debug: boolean;
  docker: DockerGlobals;
  env: NodeJS.ProcessEnv;
  stdout: Sink;
  stderr: Sink;
  /** Standard input, for start's passwords (--password-stdin, or asked on a terminal). */
  stdin?: PasswordInput;
  /** Aborted on Ctrl-C or when the Docker CLI closes the plugin socket. */
  signal: AbortSignal;
  /** The Docker engine, connected on first use. */
  engine(): Promise<Engine>;
  /** Progress and notices for people: stderr, never stdout. */
  info(message: string): void;
  /** Only with --debug / -D. Never pass credentials here. */
  debugLog(message: string): void;
  /** Runs fn to the end even if interrupted (e.g. restarting a stopped registry). */
  critical<T>(fn: () => Promise<T>): Promise<T>;
}
