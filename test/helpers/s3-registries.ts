// Registries docker-jindr runs (`docker jindr up`) for the S3 tests: one on a data directory
// or one on a bucket of a moto server (test/helpers/s3.ts), each with its own DOCKER_CONFIG
// and secrets directory and the moto user's key in AWS_*; removed after the file.
import type { Cleanups } from './cleanups.ts';
import { freePort } from './free-port.ts';
import { docker, jindr as jindrAlone, makeDockerConfig, removePulledImages, type RunResult } from './run.ts';
import type { S3Server } from './s3.ts';

export interface StartedRegistry {
  host: string;
  /** The container's name, jindr-PORT. */
  container: string;
  /** Where its storage is, as `up` says it: the data directory, or s3://BUCKET/PREFIX. */
  storage: string;
  env: NodeJS.ProcessEnv;
  /**
   * `docker-jindr -r HOST ARGS`, the executable run on its own with the registry's
   * DOCKER_CONFIG (`up` too): through the docker CLI each command would also cost the CLI and
   * a metadata request; the plugin's path is tested in plugin.test.ts.
   */
  jindr(...args: string[]): Promise<RunResult>;
}

/** A free port whose registry containers (and the images pulled from it) are removed after the file. */
export async function registryPort(cleanups: Cleanups): Promise<{ port: number; host: string }> {
  const port = await freePort();
  const host = `localhost:${port}`;
  cleanups.push(async () => {
    const ids = (await docker(['ps', '-aq', '--filter', `label=jindr.registry=${host}`])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await docker(['rm', '-f', '-v', ...ids]);
    await removePulledImages(host);
  });
  return { port, host };
}

/** `up` on a new data directory (`filesystem`) or on s3://BUCKET/PREFIX at the moto server. */
export async function upRegistry(
  cleanups: Cleanups,
  s3: S3Server,
  where: { filesystem: true } | { bucket: string; prefix: string },
): Promise<StartedRegistry> {
  const { port, host } = await registryPort(cleanups);
  const cfg = makeDockerConfig();
  const env: NodeJS.ProcessEnv = {
    ...cfg.env,
    XDG_CONFIG_HOME: cleanups.tempDir('jindr-s3-xdg-'),
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  cleanups.push(() => cfg.cleanup());
  const jindr = (...args: string[]) => jindrAlone(['-r', host, ...args], { env });
  const storage = 'bucket' in where ? `s3://${where.bucket}/${where.prefix}` : cleanups.tempDir('jindr-s3-data-');
  const args = 'bucket' in where ? ['--storage', storage, '--s3-endpoint', s3.endpoint] : ['-d', storage];
  const up = await jindr('up', ...args);
  if (up.code !== 0) throw new Error(`up ${args.join(' ')}: ${up.stderr}`);
  return { host, container: `jindr-${port}`, storage, env, jindr };
}
