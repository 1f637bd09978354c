// The local-registry-hosting ConfigMap that was in the cluster before connect, pure: read
// from `kubectl get -o json` (kubectl's NotFound: there was none), with what the API
// server sets left out, so that `connect --rm` can apply it back as it was.
import { isJsonObject, parseJson, ShapeError, type JsonObject } from '../json-shape.ts';

/** metadata the API server sets, which an apply must not carry back. */
const SERVER_METADATA = [
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'managedFields',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];
/** kubectl apply's own record of the last apply: it writes it again. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The object as it can be applied again: server-set metadata, kubectl's last-applied record and status left out. */
export function withoutServerFields(object: JsonObject): JsonObject {
  const { status: _status, ...rest } = object;
  if (!isJsonObject(rest.metadata)) return rest;
  const metadata: JsonObject = { ...rest.metadata };
  for (const key of SERVER_METADATA) delete metadata[key];
  if (isJsonObject(metadata.annotations)) {
    const { [LAST_APPLIED]: _last, ...annotations } = metadata.annotations;
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
    else metadata.annotations = annotations;
  }
  return { ...rest, metadata };
}

/**
 * What `kubectl get configmap ... -o json` answered: the ConfigMap to put back (JSON text),
 * null when there was none (kubectl's NotFound), or why it cannot be told.
 */
export function previousConfigMap(got: {
  code: number;
  stdout: string;
  stderr: string;
}): { previous: string | null } | { problem: string } {
  if (got.code !== 0) {
    if (/\(NotFound\)/.test(got.stderr)) return { previous: null };
    return { problem: `kubectl said: ${got.stderr.trim().split('\n')[0] || `exit code ${got.code}`}` };
  }
  let object: unknown;
  try {
    object = parseJson(got.stdout);
  } catch (err) {
    if (!(err instanceof ShapeError)) throw err;
    return { problem: 'kubectl get answered no JSON' };
  }
  if (!isJsonObject(object) || object.kind !== 'ConfigMap') return { problem: 'kubectl get answered no ConfigMap' };
  return { previous: JSON.stringify(withoutServerFields(object), null, 2) + '\n' };
}
