// The Docker engine connection. (Filled in by the engine work: endpoint resolution
// from --host / DOCKER_HOST / contexts lives in endpoint.ts.)
import type Docker from 'dockerode';

export interface Engine {
  docker: Docker;
  /** Where it is, for messages: e.g. "unix:///var/run/docker.sock (context default)". */
  describe: string;
}

import type { DockerGlobals } from '../cli/plugin-argv.ts';
import { EngineUnreachableError } from '../errors.ts';

export async function connectEngine(_globals: DockerGlobals, _env: NodeJS.ProcessEnv, _signal: AbortSignal): Promise<Engine> {
  throw new EngineUnreachableError('not implemented yet');
}
