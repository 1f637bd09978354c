// What connect wrote for a cluster, so that `connect --rm` undoes exactly that and `info`
// and `up` know which clusters are connected: one JSON file per cluster in docker-jindr's
// own directory ($XDG_CONFIG_HOME/docker-jindr/clusters, mode 0600; never a data
// directory, which registry containers mount and could rewrite). Keyed by the engine too
// (TOOL-CLUSTER-TAG.json, TAG a hash of the engine's address): the same cluster name on two
// engines is two clusters. A file of before the engine key (TOOL-CLUSTER.json, no "engine")
// is the default engine's, and is renamed when next written.
import { createHash } from 'node:crypto';
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

/** The ConfigMap connect applied, through which kubeconfig context, and what was there before. */
export interface AppliedConfigMap {
  context: string;
  yaml: string;
  /** The ConfigMap that was there before connect (JSON, server-set fields left out), put back on --rm; null: none, so --rm deletes it. */
  previous: string | null;
}

export interface Connection {
  /** The engine's address (unix:///var/run/docker.sock, tcp://..., ssh://...): the clusters of one engine. */
  engine: string;
  tool: ClusterTool;
  cluster: string;
  network: string;
  /** Containers connect joined to the network (by name: a re-created one keeps it), with their alias. */
  joined: { container: string; alias: string }[];
  nodes: NodeChanges[];
  configMap?: AppliedConfigMap;
}

/** The engine a record of before the engine key belongs to: the default one (endpoint.ts's DEFAULT_UNIX_HOST). */
export const DEFAULT_ENGINE = 'unix:///var/run/docker.sock';

const TOOLS: readonly ClusterTool[] = ['kind', 'k3d', 'minikube'];

function clustersDir(env: NodeJS.ProcessEnv): string {
  return join(secretsDir(env), 'clusters');
}

/** A short tag for an engine's address, for file names. */
export function engineTag(engine: string): string {
  return createHash('sha256').update(engine).digest('hex').slice(0, 12);
}

function stateFile(env: NodeJS.ProcessEnv, engine: string, tool: ClusterTool, cluster: string): string {
  return join(clustersDir(env), `${tool}-${encodeURIComponent(cluster)}-${engineTag(engine)}.json`);
}

/** The file of before the engine key (the default engine's). */
function legacyStateFile(env: NodeJS.ProcessEnv, tool: ClusterTool, cluster: string): string {
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
    engine: f.optional('engine', shape.nonEmptyString) ?? DEFAULT_ENGINE,
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
    ...(configMap
      ? {
          configMap: {
            context: configMap.get('context', shape.string),
            yaml: configMap.get('yaml', shape.string),
            // A record of before this field: connect deleted the ConfigMap on --rm then, and still does.
            previous: configMap.optional('previous', nullableString) ?? null,
          },
        }
      : {}),
  };
}

function readFile(file: string): Connection {
  return shape.readJson(
    readFileSync(file, 'utf8'),
    readConnection,
    (problem) => new ResourceError(`${file} is damaged (${problem}): remove it`),
  );
}

/** What connect wrote for the cluster on the engine; undefined when it is not connected. */
export function readConnectionState(env: NodeJS.ProcessEnv, engine: string, t: ClusterTool, cluster: string): Connection | undefined {
  const file = stateFile(env, engine, t, cluster);
  if (existsSync(file)) return readFile(file);
  const legacy = legacyStateFile(env, t, cluster);
  return engine === DEFAULT_ENGINE && existsSync(legacy) ? readFile(legacy) : undefined;
}

export function writeConnectionState(env: NodeJS.ProcessEnv, c: Connection): void {
  writeSecretFile(env, stateFile(env, c.engine, c.tool, c.cluster), JSON.stringify(c, null, 2) + '\n');
  if (c.engine === DEFAULT_ENGINE) rmSync(legacyStateFile(env, c.tool, c.cluster), { force: true });
}

export function removeConnectionState(env: NodeJS.ProcessEnv, engine: string, t: ClusterTool, cluster: string): void {
  rmSync(stateFile(env, engine, t, cluster), { force: true });
  if (engine === DEFAULT_ENGINE) rmSync(legacyStateFile(env, t, cluster), { force: true });
}

/** Every cluster connected on the engine, by tool and name. */
export function allConnections(env: NodeJS.ProcessEnv, engine: string): Connection[] {
  const dir = clustersDir(env);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => readFile(join(dir, name)))
    .filter((c) => c.engine === engine);
}
