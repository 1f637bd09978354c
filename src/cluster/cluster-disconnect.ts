// connect --rm CLUSTER: undoes what connect recorded and nothing else. A file goes back to
// what it was (or away, when there was none) only while it still holds what connect wrote;
// directories connect made go when empty; containers connect joined leave the network; the
// ConfigMap goes back, with the same kubectl context, to the one there was before connect
// (applied again), or is deleted when there was none. What cannot be undone now (a stopped
// node, kubectl missing) stays recorded for the next --rm.
import type Docker from 'dockerode';
import { nodeFiles } from './cluster-node-files.ts';
import { leaveNetwork } from './cluster-network.ts';
import { applyConfigMap, deleteConfigMap, deleteConfigMapArgs, findKubectl } from './cluster-kubectl.ts';
import { allConnections, removeConnectionState, writeConnectionState, type Connection, type NodeChanges } from './cluster-state.ts';
import { engineStatus } from '../engine/engine.ts';
import { RefusedError } from '../errors.ts';

export interface DisconnectResult {
  cluster: string;
  tool: Connection['tool'] | undefined;
  outcome: 'disconnected' | 'not connected' | 'partly disconnected';
  left: string[];
  restored: { node: string; path: string; how: 'restored' | 'removed' }[];
  /** What was left as it is, and why. */
  kept: string[];
  configMap: 'deleted' | 'restored' | 'none' | 'not deleted' | 'not restored';
  /** The kubectl command that deletes the ConfigMap, or applies the former one (printed in configMapPrevious), when it could not be run. */
  configMapCommand?: string;
  /** The ConfigMap there was before connect, when it could not be put back. */
  configMapPrevious?: string;
}

async function nodeState(docker: Docker, name: string): Promise<'running' | 'stopped' | 'gone'> {
  try {
    return (await docker.getContainer(name).inspect()).State.Running ? 'running' : 'stopped';
  } catch (err) {
    if (engineStatus(err) === 404) return 'gone';
    throw err;
  }
}

/** Undoes one node's changes; returns what is left to undo (none when all went). */
async function undoNode(docker: Docker, changes: NodeChanges, result: DisconnectResult): Promise<NodeChanges | undefined> {
  const state = await nodeState(docker, changes.node);
  if (state === 'gone') return undefined; // its files went with it
  if (state === 'stopped') {
    result.kept.push(`the node ${changes.node} is not running: its files are left (connect --rm again once it runs)`);
    return changes;
  }
  const access = nodeFiles(docker, { id: changes.node, name: changes.node });
  for (const file of changes.files) {
    const current = await access.read(file.path);
    if (current === undefined) continue;
    if (current !== file.written) {
      result.kept.push(`${file.path} in ${changes.node} changed since connect wrote it: left as it is`);
      continue;
    }
    if (file.previous === null) await access.remove(file.path);
    else await access.write(file.path, file.previous);
    result.restored.push({ node: changes.node, path: file.path, how: file.previous === null ? 'removed' : 'restored' });
  }
  for (const dir of [...changes.dirs].reverse()) await access.removeDir(dir);
  return undefined;
}

export async function disconnectCluster(docker: Docker, env: NodeJS.ProcessEnv, engine: string, name: string): Promise<DisconnectResult> {
  const found = allConnections(env, engine).filter((c) => c.cluster === name);
  const result: DisconnectResult = {
    cluster: name,
    tool: undefined,
    outcome: 'not connected',
    left: [],
    restored: [],
    kept: [],
    configMap: 'none',
  };
  if (found.length === 0) return result;
  if (found.length > 1) throw new RefusedError(`${name} names a connected ${found.map((c) => c.tool).join(' and a ')} cluster: remove one`);
  const state = found[0]!;
  result.tool = state.tool;

  const nodes: NodeChanges[] = [];
  for (const changes of state.nodes) {
    const left = await undoNode(docker, changes, result);
    if (left) nodes.push(left);
  }
  for (const j of state.joined) if (await leaveNetwork(docker, j.container, state.network)) result.left.push(j.container);

  let configMap = state.configMap;
  if (configMap) {
    const kubectl = findKubectl(env);
    const restore = configMap.previous;
    const done =
      kubectl === undefined
        ? undefined
        : restore === null
          ? await deleteConfigMap(kubectl, env, configMap.context)
          : await applyConfigMap(kubectl, env, configMap.context, restore);
    if (done?.code === 0) {
      result.configMap = restore === null ? 'deleted' : 'restored';
      configMap = undefined;
    } else {
      result.configMap = restore === null ? 'not deleted' : 'not restored';
      if (restore === null) result.configMapCommand = ['kubectl', ...deleteConfigMapArgs(configMap.context)].join(' ');
      else {
        result.configMapCommand = `kubectl --context ${configMap.context} apply -f -`;
        result.configMapPrevious = restore;
      }
      result.kept.push(
        done === undefined ? 'kubectl is not on PATH' : `kubectl said: ${done.stderr.trim().split('\n')[0] || `exit code ${done.code}`}`,
      );
    }
  }

  if (nodes.length === 0 && configMap === undefined) {
    removeConnectionState(env, state.engine, state.tool, state.cluster);
    result.outcome = 'disconnected';
  } else {
    writeConnectionState(env, { ...state, joined: [], nodes, ...(configMap ? { configMap } : { configMap: undefined }) });
    result.outcome = 'partly disconnected';
  }
  return result;
}
