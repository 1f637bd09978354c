// What connect wrote for a cluster, so that `connect --rm` undoes exactly that and `info`
// and `up` know which clusters are connected: one JSON file per cluster in docker-jindr's
// own directory ($XDG_CONFIG_HOME/docker-jindr/clusters, mode 0600; never a data
// directory, which registry containers mount and could rewrite).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { secretsDir, writeSecretFile } from '../server/secrets.ts';
import type { ClusterTool } from './cluster-discovery.ts';
import { ResourceError } from '../errors.ts';
import * as shape from '../json-shape.ts';

/** A file connect wrote in a node. */
export interface WrittenFile {
  path: string;
  /** What was there before; null: no file. */
  previous: string | null;
  /** What connect wrote (put back only while the file still holds it). */
  written: string;
}

export interface NodeChanges {
  node: string;
  files: WrittenFile[];
  /** Directories connect made, outermost first (removed on --rm when empty). */
  dirs: string[];
}

export interface Connection {
  tool: ClusterTool;
  cluster: string;
  network: string;
  /** Containers connect joined to the network (by name: a re-created one keeps it), with their alias. */
  joined: { container: string; alias: string }[];
  nodes: NodeChanges[];
  /** The ConfigMap connect applied, and through which kubeconfig context. */
  configMap?: { context: string; yaml: string };
}

const TOOLS: readonly ClusterTool[] = ['kind', 'k3d', 'minikube'];

function clustersDir(env: NodeJS.ProcessEnv): string {
  return join(secretsDir(env), 'clusters');
}

function stateFile(env: NodeJS.ProcessEnv, tool: ClusterTool, cluster: string): string {
  return join(clustersDir(env), `${tool}-${encodeURIComponent(cluster)}.json`);
}

const tool: shape.Read<ClusterTool> = (value, path) => {
  const text = shape.string(value, path);
  if (!TOOLS.includes(text as ClusterTool)) throw new shape.ShapeError(path, `not kind, k3d or minikube`);
  return text as ClusterTool;
};
const nullableString: shape.Read<string | null> = (value, path) => (value === null ? null : shape.string(value, path));

function readConnection(value: unknown): Connection {
  const f = new shape.Fields(value);
  const configMap = f.fields('configMap');
  return {
    tool: f.get('tool', tool),
    cluster: f.get('cluster', shape.nonEmptyString),
    network: f.get('network', shape.nonEmptyString),
    joined: f.get(
      'joined',
      shape.arrayOf((v, p) => {
        const j = new shape.Fields(v, p);
        return { container: j.get('container', shape.string), alias: j.get('alias', shape.string) };
      }),
    ),
    nodes: f.get(
      'nodes',
      shape.arrayOf((v, p) => {
        const n = new shape.Fields(v, p);
        const files = n.get(
          'files',
          shape.arrayOf((fv, fp) => {
            const w = new shape.Fields(fv, fp);
            return {
              path: w.get('path', shape.string),
              previous: w.get('previous', nullableString),
              written: w.get('written', shape.string),
            };
          }),
        );
        return { node: n.get('node', shape.string), files, dirs: n.get('dirs', shape.stringArray) };
      }),
    ),
    ...(configMap ? { configMap: { context: configMap.get('context', shape.string), yaml: configMap.get('yaml', shape.string) } } : {}),
  };
}

function readFile(file: string): Connection {
  return shape.readJson(
    readFileSync(file, 'utf8'),
    readConnection,
    (problem) => new ResourceError(`${file} is damaged (${problem}): remove it`),
  );
}

/** What connect wrote for the cluster; undefined when it is not connected. */
export function readConnectionState(env: NodeJS.ProcessEnv, t: ClusterTool, cluster: string): Connection | undefined {
  const file = stateFile(env, t, cluster);
  return existsSync(file) ? readFile(file) : undefined;
}

export function writeConnectionState(env: NodeJS.ProcessEnv, c: Connection): void {
  writeSecretFile(env, stateFile(env, c.tool, c.cluster), JSON.stringify(c, null, 2) + '\n');
}

export function removeConnectionState(env: NodeJS.ProcessEnv, t: ClusterTool, cluster: string): void {
  rmSync(stateFile(env, t, cluster), { force: true });
}

/** Every connected cluster, by tool and name. */
export function allConnections(env: NodeJS.ProcessEnv): Connection[] {
  const dir = clustersDir(env);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => readFile(join(dir, name)));
}
