// The registry container's volumes and bind mounts, given explicitly to a helper container
// (gc's). Not --volumes-from: Podman before 4.7 refuses that for a container that
// bind-mounts a path its image declares as VOLUME ("duplicate mount destination",
// containers/podman#19529), which is how every registry container is made. Explicit
// mounts work the same on Docker and Podman.
import type Docker from 'dockerode';

/** Mounts for HostConfig.Mounts: each bind and volume of the container, read-only as it has it. */
export function helperMounts(details: Pick<Docker.ContainerInspectInfo, 'Mounts'>): Docker.MountConfig {
  const mounts: Docker.MountConfig = [];
  for (const m of details.Mounts) {
    const ReadOnly = m.RW === false;
    if (m.Type === 'bind' && m.Source) mounts.push({ Type: 'bind', Source: m.Source, Target: m.Destination, ReadOnly });
    else if (m.Type === 'volume' && m.Name) mounts.push({ Type: 'volume', Source: m.Name, Target: m.Destination, ReadOnly });
    // tmpfs and the rest hold nothing a second container could share
  }
  return mounts;
}
