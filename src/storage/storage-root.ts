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

const notFilesystem = (container: string, driver: string): ResourceError =>
  new ResourceError(`gc works with the registry's filesystem storage only; ${container} uses the ${driver} driver`);

// Prepended to a storage script: its first argument is the configuration file, printed first
// with its length ("-1" when it cannot be read), then the script runs on the other arguments.
const CONFIG_FIRST = `c=$1; shift
if [ -r "$c" ] && n=$(wc -c < "$c"); then echo $n; cat -- "$c"; else echo -1; fi
`;

/**
 * exec, except that its first run of a storage script (`sh -c SCRIPT sh ARGS...`) also reads
 * the registry's configuration file, in the same exec. `config()` gives its text (undefined
 * when it cannot be read) once that run is back; asked before anything ran, it reads it with
 * `cat`. Later runs are exec's own.
 */
export function withConfigRead(exec: Exec, configPath: string): { exec: Exec; config: () => Promise<string | undefined> } {
  let text: Promise<string | undefined> | undefined;
  const cat = async (): Promise<string | undefined> => {
    const file = await exec(['cat', configPath]);
    return file.exitCode === 0 ? file.stdout.toString('utf8') : undefined;
  };
  const wrapped: Exec = async (cmd) => {
    if (text !== undefined) return exec(cmd);
    if (cmd[0] !== 'sh' || cmd[1] !== '-c' || cmd[2] === undefined) {
      text = cat();
      await text;
      return exec(cmd);
    }
    const run = exec(['sh', '-c', CONFIG_FIRST + cmd[2], cmd[3] ?? 'sh', configPath, ...cmd.slice(4)]).then((result) => {
      const nl = result.stdout.indexOf(10);
      const n = Number(result.stdout.subarray(0, nl < 0 ? 0 : nl).toString('latin1'));
      const known = nl >= 0 && Number.isSafeInteger(n) && n >= 0 && nl + 1 + n <= result.stdout.length;
      const rest = nl < 0 ? result.stdout : result.stdout.subarray(nl + 1 + (known ? n : 0));
      return {
        config: known ? result.stdout.subarray(nl + 1, nl + 1 + n).toString('utf8') : undefined,
        result: { ...result, stdout: rest },
      };
    });
    text = run.then((r) => r.config);
    return (await run).result;
  };
  return { exec: wrapped, config: () => (text ??= cat()) };
}

/**
 * read(exec, root) at the storage root, with the configuration read in the same exec as its
 * first script: it starts at the root the env names (else the image default) and is kept
 * when the configuration names that root, else run again at the one it names. Only for
 * reads: a read at the wrong root finds nothing and changes nothing. The value is undefined
 * when the registry keeps its data in another driver than the filesystem (then `read` only
 * ran at a root the registry does not use).
 */
export async function readAtConfiguredRoot<T>(
  exec: Exec,
  configPath: string,
  env: readonly string[],
  read: (exec: Exec, root: string) => Promise<T>,
): Promise<{ driver: string; root: string; value: Promise<T> | undefined }> {
  const guess = storageRoot(env);
  const { exec: once, config } = withConfigRead(exec, configPath);
  const early = read(once, guess);
  // Its failure is the caller's only when it is kept.
  early.catch(() => {});
  const { driver, root } = storageOf((await config()) ?? '', env);
  if (driver !== 'filesystem') return { driver, root, value: undefined };
  return { driver, root, value: root === guess ? early : read(exec, root) };
}

/** readAtConfiguredRoot for gc and the mirror's storage: another driver than the filesystem is an error. */
export async function readAtStorageRoot<T>(
  exec: Exec,
  configPath: string,
  env: readonly string[],
  container: string,
  read: (exec: Exec, root: string) => Promise<T>,
): Promise<{ root: string; value: T }> {
  const { driver, root, value } = await readAtConfiguredRoot(exec, configPath, env, read);
  if (!value) throw notFilesystem(container, driver);
  return { root, value: await value };
}
