// The Docker CLI runs a plugin as `docker-jindr [docker's global flags] jindr ARGS`
// (and `help jindr`, `__complete jindr ...`). On its own it runs as `docker-jindr ARGS`.
// This splits argv into Docker's global flags and the plugin's own arguments.
import { UsageError } from '../errors.ts';
import type { DockerGlobals } from '../engine/globals.ts';

export type { DockerGlobals };

export const PLUGIN_NAME = 'jindr';


export type PluginMode = 'run' | 'help' | 'complete';

export interface PluginArgv {
  globals: DockerGlobals;
  mode: PluginMode;
  args: string[];
}

type ValueFlag = 'config' | 'context' | 'host' | 'logLevel' | 'tlsCaCert' | 'tlsCert' | 'tlsKey';
type BoolFlag = 'debug' | 'tls' | 'tlsVerify';

const valueFlags: Record<string, ValueFlag> = {
  '--config': 'config',
  '-c': 'context',
  '--context': 'context',
  '-H': 'host',
  '--host': 'host',
  '-l': 'logLevel',
  '--log-level': 'logLevel',
  '--tlscacert': 'tlsCaCert',
  '--tlscert': 'tlsCert',
  '--tlskey': 'tlsKey',
};

const boolFlags: Record<string, BoolFlag> = {
  '-D': 'debug',
  '--debug': 'debug',
  '--tls': 'tls',
  '--tlsverify': 'tlsVerify',
};

function parseBool(flag: string, value: string): boolean {
  if (/^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  throw new UsageError(`invalid value "${value}" for ${flag}: use true or false`);
}

export function parsePluginArgv(argv: readonly string[]): PluginArgv {
  const globals: DockerGlobals = { debug: false, tls: false, tlsVerify: false };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') break;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const valueKey = valueFlags[name];
    const boolKey = boolFlags[name];
    if (valueKey) {
      const value = inline ?? argv[i + 1];
      if (value === undefined) throw new UsageError(`flag ${name} needs a value`);
      if (valueKey === 'host' && globals.host !== undefined) {
        throw new UsageError('specify only one -H');
      }
      globals[valueKey] = value;
      i += inline === undefined ? 2 : 1;
    } else if (boolKey) {
      globals[boolKey] = inline === undefined ? true : parseBool(name, inline);
      i += 1;
    } else {
      break; // not one of Docker's flags: it belongs to the plugin (e.g. -v, --help)
    }
  }
  if (globals.context !== undefined && globals.host !== undefined) {
    throw new UsageError('conflicting options: cannot specify both --host and --context');
  }
  let rest = argv.slice(i);
  let mode: PluginMode = 'run';
  if (rest[0] === PLUGIN_NAME) {
    rest = rest.slice(1);
  } else if (rest[0] === 'help' && rest[1] === PLUGIN_NAME) {
    mode = 'help';
    rest = rest.slice(2);
  } else if (rest[0] === '__complete' && rest[1] === PLUGIN_NAME) {
    mode = 'complete';
    rest = rest.slice(2);
  }
  return { globals, mode, args: rest };
}
