// Where a registry keeps its files: the filesystem driver's root directory, from its
// config file and env (env wins, as in the registry).
import { ResourceError } from '../errors.ts';
import type { Exec } from '../server/container-exec.ts';

export const DEFAULT_STORAGE_ROOT = '/var/lib/registry';

/** The filesystem root the registry uses: its env override, else the image default. */
export function storageRoot(env: readonly string[]): string {
  const prefix = 'REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=';
  const value = env.findLast((e) => e.startsWith(prefix))?.slice(prefix.length);
  return value ? value.replace(/\/+$/, '') || '/' : DEFAULT_STORAGE_ROOT;
}

const OTHER_DRIVERS = ['s3', 'gcs', 'azure', 'swift', 'oss', 'inmemory'];

/**
 * The storage driver and filesystem root from the registry's config file and env (env
 * wins, as in the registry). A plain reading of the YAML: the keys gc needs are simple.
 */
export function storageOf(configYaml: string, env: readonly string[]): { driver: string; root: string } {
  const envValue = (key: string) => env.find((e) => e.startsWith(key + '='))?.slice(key.length + 1);
  const storageSection = /^storage:\s*\n((?:[ \t]+.*\n?|\s*\n)*)/m.exec(configYaml)?.[1] ?? '';
  const driverKeys = [...storageSection.matchAll(/^[ \t]+([a-z0-9]+):/gm)].map((m) => m[1]!);
  const driver =
    envValue('REGISTRY_STORAGE') ||
    (driverKeys.includes('filesystem') ? 'filesystem' : (driverKeys.find((k) => OTHER_DRIVERS.includes(k)) ?? 'filesystem'));
  const configured = /^[ \t]+rootdirectory:[ \t]*["']?([^"'\s#]+)/m.exec(storageSection)?.[1];
  const root = storageRoot(configured ? [`REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=${configured}`, ...env] : env);
  return { driver, root };
}

/** Where the registry keeps its data: it must be the filesystem driver for gc. */
export async function readStorageRoot(exec: Exec, configPath: string, env: readonly string[], container: string): Promise<string> {
  const result = await exec(['cat', configPath]);
  const { driver, root } = storageOf(result.exitCode === 0 ? result.stdout.toString('utf8') : '', env);
  if (driver !== 'filesystem') {
    throw new ResourceError(`gc works with the registry's filesystem storage only; ${container} uses the ${driver} driver`);
  }
  return root;
}
