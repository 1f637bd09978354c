// An image of an engine pushed by that engine to a registry under another name: tagged
// for it, pushed (the engine asks the registry for each layer first, as `docker push`
// does, so a layer it has is not sent), and the extra tag removed again.
import type Docker from 'dockerode';
import { engineErrorMessage } from './engine.ts';
import { JsonLines, PullProgress, type PullEvent, type ProgressSink } from './pull.ts';
import { InterruptedError, ResourceError } from '../errors.ts';

export interface EnginePush {
  /** The manifest digest the registry stored. */
  digest: string;
  /** Layers sent, and layers the registry had. */
  pushed: number;
  present: number;
}

/** "v1: digest: sha256:... size: 528", the engine's last status of a push. */
const DIGEST_STATUS = /digest: (sha256:[a-f0-9]{64}) size: \d+/;

/** Pushes the engine's image `image` as `repository:tag` (a name in the registry to push to). */
export async function pushEngineImage(
  docker: Docker,
  image: string,
  to: { repository: string; tag: string },
  progress: ProgressSink,
  signal: AbortSignal,
): Promise<EnginePush> {
  const name = `${to.repository}:${to.tag}`;
  const fail = (why: string, cause?: unknown): ResourceError =>
    new ResourceError(`cannot push ${image} from the local engine: ${why}`, { cause });
  try {
    await docker.getImage(image).tag({ repo: to.repository, tag: to.tag });
  } catch (err) {
    throw fail(engineErrorMessage(err), err);
  }
  try {
    return await follow(docker, name, progress, signal, fail);
  } finally {
    // Only the name we added goes: the image keeps its own.
    await docker
      .getImage(name)
      .remove({ noprune: true })
      .catch(() => {});
  }
}

async function follow(
  docker: Docker,
  name: string,
  progress: ProgressSink,
  signal: AbortSignal,
  fail: (why: string, cause?: unknown) => ResourceError,
): Promise<EnginePush> {
  let stream: NodeJS.ReadableStream;
  try {
    // The engine wants X-Registry-Auth on a push: an empty login (the registry at the far end has none).
    const push = docker.getImage(name).push as unknown as (opts: object) => Promise<NodeJS.ReadableStream>;
    stream = await push.call(docker.getImage(name), { authconfig: {}, abortSignal: signal });
  } catch (err) {
    if (signal.aborted) throw new InterruptedError();
    throw fail(engineErrorMessage(err), err);
  }
  const display = new PullProgress(progress);
  const parser = new JsonLines();
  const layers = { pushed: new Set<string>(), present: new Set<string>() };
  let digest: string | undefined;
  let failure: string | undefined;
  const handle = (events: PullEvent[]): void => {
    for (const event of events) {
      if (event.error) failure ??= event.errorDetail?.message ?? event.error;
      else display.update(event);
      if (event.id && event.status === 'Pushed') layers.pushed.add(event.id);
      if (event.id && event.status === 'Layer already exists') layers.present.add(event.id);
      digest = DIGEST_STATUS.exec(event.status ?? '')?.[1] ?? digest;
    }
  };
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer | string) => handle(parser.push(chunk.toString())));
    stream.on('end', () => (handle(parser.end()), resolve()));
    stream.on('error', reject);
  }).catch((err: unknown) => {
    if (signal.aborted) throw new InterruptedError();
    throw fail(engineErrorMessage(err), err);
  });
  if (failure !== undefined) throw fail(failure.replace(/\s+/g, ' ').trim());
  if (digest === undefined) throw fail('the engine did not say which digest it pushed');
  return { digest, pushed: layers.pushed.size, present: layers.present.size };
}
