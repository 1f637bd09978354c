// When each image was last pulled from a mirror, from the registry's own access log (its
// container's log, one line per request in the combined log format), with the engine's
// timestamp on every line:
//   2026-12-07T00:46:32.983Z 192.168.16.1 - - [07/Dec/2026:00:46:32 +0000] "GET /v2/reg/manifests/2 HTTP/1.1" 200 428 "" "skopeo/1.9.3"
// A pull asks for the manifest by tag or digest (GET or HEAD), so the newest such answer
// (2xx) for a repository and reference is when it was last pulled. The log covers the
// container's life (not a container made again); the cache's own files say when an image
// was fetched, for what the log no longer holds (mirror-trim's caller takes the newer).
import type Docker from 'dockerode';
import { FrameSplitter } from '../engine/frames.ts';
import { errorMessage } from '../errors.ts';

const REQUEST = /^(\S+) .*"(?:GET|HEAD) \/v2\/(.+?)\/manifests\/([^ ?"]+)(?:\?[^ "]*)? HTTP\/[\d.]+" (\d{3}) /;

/** `repository@reference` (a tag or a digest) -> when it was last served, in ms. */
export type PullTimes = Map<string, number>;

export const pullKey = (repository: string, reference: string): string => `${repository}@${reference}`;

export function parsePullTimes(log: string): PullTimes {
  const times: PullTimes = new Map();
  for (const line of log.split('\n')) {
    const m = REQUEST.exec(line);
    if (!m || !m[4]!.startsWith('2')) continue;
    const at = Date.parse(m[1]!);
    if (!Number.isFinite(at)) continue;
    const key = pullKey(m[2]!, decodeURIComponent(m[3]!));
    if (at > (times.get(key) ?? 0)) times.set(key, at);
  }
  return times;
}

/**
 * The pull times in the mirror container's log; none when the engine cannot give its log (a
 * log driver that keeps none): then only the cache's own dates count.
 */
export async function readPullTimes(
  docker: Docker,
  container: { id: string; details: { Config: { Tty?: boolean } } },
  debug?: (message: string) => void,
): Promise<PullTimes> {
  let logs: Buffer;
  try {
    logs = await docker.getContainer(container.id).logs({ stdout: true, stderr: true, timestamps: true, follow: false });
  } catch (err) {
    debug?.(`the mirror's log cannot be read (${errorMessage(err)}): when images were fetched stands for when they were pulled`);
    return new Map();
  }
  const text = container.details.Config.Tty
    ? logs.toString('utf8')
    : new FrameSplitter()
        .push(logs)
        .map((f) => f.data.toString('utf8'))
        .join('');
  return parsePullTimes(text);
}
