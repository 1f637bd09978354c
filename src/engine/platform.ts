// The platform an engine runs images for (os/architecture from its /version), and a
// --platform value (os/arch[/variant]) read: what save --format docker picks from an index.
import { UsageError } from '../errors.ts';
import type { Platform } from '../registry/manifest.ts';
import * as shape from '../json-shape.ts';
import type { Engine } from './engine.ts';

/** "linux/arm64/v8" -> { os, architecture, variant }. */
export function parsePlatform(value: string): Platform {
  const parts = value.trim().toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/.test(p))) {
    throw new UsageError(`--platform ${JSON.stringify(value)}: give OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm64`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** The engine's own platform, as Docker names it (Os, Arch of /version). */
export async function enginePlatform(engine: Engine, signal?: AbortSignal): Promise<Platform> {
  const version = engine.docker.version as unknown as (opts: { abortSignal?: AbortSignal }) => Promise<unknown>;
  const answer = await version.call(engine.docker, signal ? { abortSignal: signal } : {});
  if (shape.isJsonObject(answer) && shape.isString(answer.Os) && shape.isString(answer.Arch)) {
    return { os: answer.Os, architecture: answer.Arch };
  }
  return { os: 'linux', architecture: 'amd64' };
}
