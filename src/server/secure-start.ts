// `start` with its --auth/--tls/--bind side: plan (security.ts), write the files into the data
// directory, start through lifecycle.ts with the env and addresses they need, then have
// Docker on this machine trust the CA. A container that already has auth or TLS keeps it,
// and its certificate is renewed when due.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { listRegistryContainers, pickRegistryContainer } from './container.ts';
import { checkDataDirUnshared, prepareDataDir } from './prestart-checks.ts';
import { startRegistry, type StartEnvironment, type StartOptions, type StartResult } from './lifecycle.ts';
import { isWildcard } from './address.ts';
import { AUTH_FILE, parseBind, planSecurity, securityOf, type SecurityPlan, type SecurityRequest } from './security-plan.ts';
import { caFileFor, daemonCertsDir, describePlacement, placeCa } from './tls-trust.ts';
import { allowPlainHttpOnPodman } from './podman-registries.ts';
import { caKeyDir } from './secrets.ts';
import type { ResolvedEndpoint } from '../engine/endpoint.ts';
import { ResourceError, UsageError } from '../errors.ts';
import { htpasswdUsers, writeHtpasswd } from '../security/htpasswd.ts';
import { defaultNames, ensureGeneratedTls, installOwnCertificate, readInstalledOwn, uniqueNames } from '../security/tls-files.ts';

export interface SecureStartResult extends StartResult {
  plan: SecurityPlan;
}

export const emptyRequest = (): SecurityRequest => ({
  users: [],
  tls: false,
  sans: [],
  own: undefined,
  bind: undefined,
  insecureExpose: false,
});

function listed(names: readonly string[]): string {
  return names.join(', ');
}

async function updateUsers(file: string, request: SecurityRequest, info: (m: string) => void, live: boolean): Promise<void> {
  if (request.users.length === 0) return;
  const { added, changed } = await writeHtpasswd(file, request.users);
  const when = live ? ' (in effect now)' : '';
  if (added.length > 0) info(`registry user${added.length > 1 ? 's' : ''} added: ${listed(added)}${when}`);
  if (changed.length > 0) info(`password changed for ${listed(changed)}${when}`);
}

/** The files the plan needs, written into its data directory (local engine only). */
async function writeFiles(
  plan: SecurityPlan,
  request: SecurityRequest,
  options: StartOptions,
  info: (m: string) => void,
  processEnv: NodeJS.ProcessEnv,
): Promise<void> {
  const dataDir = plan.dataDir;
  if (dataDir === undefined) return;
  if (plan.auth || plan.tls) prepareDataDir(dataDir);
  if (plan.auth) {
    const file = join(dataDir, AUTH_FILE);
    await updateUsers(file, request, info, false);
    // The registry would make up a user of its own and log its password if the file were missing.
    if (htpasswdUsers(file).length === 0) throw new ResourceError(`${file} holds no users: add one with --auth USER`);
  }
  if (plan.tls === 'generated') {
    const specific = plan.publish.filter((ip) => !isWildcard(ip));
    const names = uniqueNames([...defaultNames(), options.address.host, ...specific, ...request.sans]);
    const tls = ensureGeneratedTls({ dataDir, caKeyDir: caKeyDir(processEnv, dataDir) }, names);
    if (tls.newCa) info(`made a CA for the registry: ${caFileFor(dataDir, 'generated')}`);
    if (tls.made) info(`made the registry's certificate${tls.made === 'new' ? '' : ` again (the previous one: ${tls.made})`}`);
  } else if (plan.tls === 'own') {
    if (request.own) installOwnCertificate(dataDir, request.own);
    else if (!readInstalledOwn(dataDir))
      throw new ResourceError(
        `the registry's own certificate is missing from ${join(dataDir, 'tls')}: give it again with --cert FILE --key FILE`,
      );
  }
}

export async function startWithSecurity(
  env: StartEnvironment & { processEnv: NodeJS.ProcessEnv; endpoint: Pick<ResolvedEndpoint, 'host' | 'context'> },
  options: StartOptions,
  request: SecurityRequest,
  info: (message: string) => void,
): Promise<SecureStartResult> {
  if (!env.local && (request.users.length > 0 || request.tls)) {
    throw new UsageError(
      "--auth and --tls need the Docker engine on this machine: their files go into the data directory, which is on the engine's machine",
    );
  }
  // A specific --bind address must be one of this machine's, when the engine is on it.
  if (env.local && request.bind !== undefined) parseBind(request.bind, true);
  const all = await listRegistryContainers(env.docker);
  const existing = pickRegistryContainer(all, options.address);
  const plan = planSecurity(options.address, existing, request, { dataDir: options.dataDir, defaultDataDir: options.defaultDataDir });
  for (const w of plan.warnings) info(w);
  let mismatches = plan.mismatches;
  // On S3 storage there is no data directory to share (several registries on one bucket is the point).
  if (!existing?.running && plan.dataDir !== undefined && !options.storage) checkDataDirUnshared(all, plan.dataDir, existing?.id);

  if (existing?.running) {
    // Only users can change under a running registry (it reads its htpasswd file again when
    // it changes); anything else waits for a stop and start.
    if (securityOf(existing).auth && plan.dataDir !== undefined && env.local)
      await updateUsers(join(plan.dataDir, AUTH_FILE), request, info, true);
    mismatches = [...new Set([...mismatches, ...(request.own ? ['--cert/--key'] : []), ...(request.sans.length > 0 ? ['--san'] : [])])];
  } else if (env.local && (!existing || existing.managed)) {
    await writeFiles(plan, request, options, info, env.processEnv);
  }

  const result = await startRegistry(env, { ...options, security: { env: plan.env, publish: plan.publish, mismatches } }, { existing });
  // What the container has (a running one may not have what was asked yet); placing the CA
  // again is cheap and restores it if it went missing.
  const kind = securityOf(result.container).tls;
  if (kind && env.local && plan.dataDir !== undefined) {
    const caFile = caFileFor(plan.dataDir, kind);
    if (existsSync(caFile)) {
      const certsDir = await daemonCertsDir(env.docker, env.processEnv, { kind: env.kind, context: env.endpoint.context });
      info(describePlacement(placeCa(options.address.registry.toLowerCase(), caFile, certsDir), options.address.registry));
      if (plan.publish.some((ip) => ip !== options.address.bindIp)) {
        info(
          `other machines trust it by copying ${caFile} to /etc/docker/certs.d/HOST:${options.address.port}/ca.crt there (HOST: the name they use for this machine)`,
        );
      }
    } else {
      info(
        `clients must trust the CA that issued the registry's certificate (on this machine: /etc/docker/certs.d/${options.address.registry}/ca.crt)`,
      );
    }
  }
  // Docker talks plain HTTP to loopback registries by itself; Podman needs to be told.
  if (!kind && env.kind === 'podman') {
    const note = await allowPlainHttpOnPodman({ ...env, host: env.endpoint.host }, options.address);
    if (note !== undefined) info(note);
  }
  return { ...result, plan };
}
