// A mirror's size limit (mirror start --max-size): kept in DIR/mirrors/NAME/limit.json,
// beside its data/ (outside the storage any container mounts), read by gc, `mirror trim`
// and du. Sizes are written as the Docker CLI writes them: decimal units (2GB = 2e9 bytes),
// and KiB/MiB/GiB/TiB for binary ones.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isJsonObject, parseJson } from '../json-shape.ts';
import type Docker from 'dockerode';
import { findRegistryContainer, type RegistryContainer } from '../server/container.ts';
import { mirrorDir } from './mirrors.ts';
import { ResourceError, UsageError, errorMessage } from '../errors.ts';

const FILE = 'limit.json';
const UNITS: Record<string, number> = {
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** 500MB, 2GB, 1.5GiB, 800000 (bytes); 0 or "none": no limit (undefined). */
export function parseSize(text: string, flag: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'none' || t === '0') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(t);
  const unit = m ? UNITS[m[2] || 'b'] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new UsageError(`${flag} takes a size such as 500MB, 2GB or 1.5GiB (0 or none: no limit), not ${JSON.stringify(text)}`);
  return bytes;
}

/** The mirror's limit in bytes, or undefined when it has none. */
export function readMaxSize(c: RegistryContainer): number | undefined {
  const dir = mirrorDir(c);
  if (dir === undefined || !existsSync(join(dir, FILE))) return undefined;
  try {
    const value = parseJson(readFileSync(join(dir, FILE), 'utf8'));
    const max = isJsonObject(value) ? value.maxSize : undefined;
    return typeof max === 'number' && Number.isSafeInteger(max) && max > 0 ? max : undefined;
  } catch {
    return undefined;
  }
}

/** Sets (or, with undefined, removes) the mirror's limit. */
export function writeMaxSize(c: RegistryContainer, maxSize: number | undefined): void {
  const dir = mirrorDir(c);
  if (dir === undefined)
    throw new ResourceError(`the mirror ${c.name} has no directory of its own (DIR/mirrors/NAME): it cannot keep a size limit`);
  try {
    if (maxSize === undefined) rmSync(join(dir, FILE), { force: true });
    else writeFileSync(join(dir, FILE), `${JSON.stringify({ maxSize })}\n`);
  } catch (err) {
    throw new ResourceError(`cannot write the mirror's size limit in ${dir}: ${errorMessage(err)}`, { cause: err });
  }
}

/** The limit of the mirror serving registry (HOST:PORT), if it is a mirror with one. */
export async function mirrorLimitOf(docker: Docker, registry: string): Promise<number | undefined> {
  const c = await findRegistryContainer(docker, registry);
  return c === undefined ? undefined : readMaxSize(c);
}
