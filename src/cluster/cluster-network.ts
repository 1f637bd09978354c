// A registry or mirror container on a cluster's network, under a stable alias (named after
// the container, so a re-created container gets the same one): joined by connect, left by
// `connect --rm`, joined again by up and mirror start when the container was re-created.
import type Docker from 'dockerode';
import { engineErrorMessage, engineStatus } from '../engine/engine.ts';
import { ResourceError } from '../errors.ts';

/** The alias of a container on a cluster's network: its name, with dots made dashes (jindr-mirror-docker-io). */
export function aliasFor(containerName: string): string {
  return containerName.replace(/\./g, '-');
}

/** The name the container answers to on the network: the alias when it has it, else its own name. */
export function nameOnNetwork(details: Docker.ContainerInspectInfo, network: string, alias: string): string | undefined {
  const endpoint = details.NetworkSettings.Networks[network] as { Aliases?: string[] | null } | undefined;
  if (endpoint === undefined) return undefined;
  return (endpoint.Aliases ?? []).includes(alias) ? alias : details.Name.replace(/^\//, '');
}

/** Joins the container to the network (by its ID when known: two networks may share a name) under alias. */
export async function joinNetwork(docker: Docker, container: string, network: string, alias: string, networkId?: string): Promise<void> {
  try {
    await docker.getNetwork(networkId ?? network).connect({ Container: container, EndpointConfig: { Aliases: [alias] } });
  } catch (err) {
    throw new ResourceError(`cannot join ${container} to the network ${network}: ${engineErrorMessage(err)}`, { cause: err });
  }
}

/** The container is gone, or on its way (being removed, dead): the engine refuses network changes to it then. */
export async function isGoing(docker: Docker, container: string): Promise<boolean> {
  try {
    const status = (await docker.getContainer(container).inspect()).State.Status;
    return status === 'removing' || status === 'dead';
  } catch (err) {
    if (engineStatus(err) === 404) return true;
    throw err;
  }
}

/** Takes the container off the network; false when it (or the network) is gone, or it is being removed, or it was not on it. */
export async function leaveNetwork(docker: Docker, container: string, network: string): Promise<boolean> {
  try {
    const details = await docker.getContainer(container).inspect();
    const endpoint = details.NetworkSettings.Networks[network] as { NetworkID?: string } | undefined;
    if (endpoint === undefined) return false;
    // By the ID of the network it is on: two networks may share the name.
    await docker.getNetwork(endpoint.NetworkID || network).disconnect({ Container: container });
    return true;
  } catch (err) {
    if (engineStatus(err) === 404 || (await isGoing(docker, container))) return false;
    throw new ResourceError(`cannot take ${container} off the network ${network}: ${engineErrorMessage(err)}`, { cause: err });
  }
}
