// The engine's answer to a container inspect, checked before anything reads it: the
// members docker-jindr uses (describeContainer, the security plan, gc, logs, re-create)
// must have the types Docker's API gives them. Docker and Podman send these; an engine
// or proxy sending something else fails with one line naming the member, rather than a
// TypeError somewhere later.
import type Docker from 'dockerode';
import { ResourceError } from '../errors.ts';
import * as shape from '../json-shape.ts';

const stringOrList: shape.Read<string | string[]> = (value, path) => (shape.isString(value) ? value : shape.stringArray(value, path));

/** {"5000/tcp": [{"HostIp", "HostPort"}] | null, ...}: port bindings, as in HostConfig and NetworkSettings. */
function portMap(ports: shape.Fields | undefined): void {
  if (!ports) return;
  for (const port of Object.keys(ports.raw)) {
    for (const binding of ports.optional(port, shape.arrayOf(shape.fields)) ?? []) {
      binding.optional('HostIp', shape.string);
      binding.optional('HostPort', shape.string);
    }
  }
}

function check(details: unknown): Docker.ContainerInspectInfo {
  const d = new shape.Fields(details);
  d.get('Id', shape.nonEmptyString);
  d.get('Name', shape.string);
  d.get('Created', shape.string);
  const state = d.get('State', shape.fields);
  state.get('Status', shape.string);
  state.get('Running', shape.boolean);
  const config = d.get('Config', shape.fields);
  config.get('Image', shape.string);
  config.optional('Labels', shape.stringMap);
  config.optional('Env', shape.stringArray);
  config.optional('Cmd', stringOrList);
  config.optional('Entrypoint', stringOrList);
  config.optional('Tty', shape.boolean);
  config.optional('User', shape.string);
  const host = d.fields('HostConfig');
  portMap(host?.fields('PortBindings'));
  host?.optional('NetworkMode', shape.string);
  host?.optional('Binds', shape.stringArray);
  portMap(d.fields('NetworkSettings')?.fields('Ports'));
  for (const mount of d.get('Mounts', shape.arrayOf(shape.fields))) {
    mount.get('Destination', shape.string);
    mount.optional('Type', shape.string);
    mount.optional('Source', shape.string);
    mount.optional('Name', shape.string);
    mount.optional('RW', shape.boolean);
  }
  return details as Docker.ContainerInspectInfo;
}

/** details as typed, once checked; a ResourceError naming the container and the member otherwise. */
export function checkContainerDetails(details: unknown): Docker.ContainerInspectInfo {
  try {
    return check(details);
  } catch (err) {
    if (!(err instanceof shape.ShapeError)) throw err;
    const name =
      shape.isJsonObject(details) && shape.isNonEmptyString(details.Name) ? `container ${details.Name.replace(/^\//, '')}` : 'a container';
    throw new ResourceError(`the engine sent malformed details of ${name}: ${err.message}`);
  }
}
