// Making sure an image is there, pulling it through the engine with a progress display on
// stderr: on a terminal one line per layer redrawn in place, as `docker pull` does;
// otherwise one plain line each time a layer changes status (no progress-bar noise in logs).
import type Docker from 'dockerode';
import { engineErrorMessage, engineStatus } from './engine.ts';
import { InterruptedError, ResourceError } from '../errors.ts';
import * as shape from '../json-shape.ts';

export interface PullEvent {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

export interface ProgressSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export class PullProgress {
  private readonly out: ProgressSink;
  private readonly tty: boolean;
  /** Per-layer lines in order of appearance (terminal mode). */
  private readonly lines = new Map<string, string>();
  private drawn = 0;
  private readonly lastStatus = new Map<string, string>();

  constructor(out: ProgressSink, tty = Boolean(out.isTTY)) {
    this.out = out;
    this.tty = tty;
  }

  update(event: PullEvent): void {
    if (event.error || !event.status) return;
    if (!event.id || !this.isLayerStatus(event)) {
      this.message(event.id ? `${event.id}: ${event.status}` : event.status);
      return;
    }
    if (this.tty) {
      this.lines.set(event.id, `${event.id}: ${event.status}${event.progress ? ' ' + event.progress : ''}`);
      this.redraw();
    } else if (this.lastStatus.get(event.id) !== event.status) {
      this.lastStatus.set(event.id, event.status);
      this.out.write(`${event.id}: ${event.status}\n`);
    }
  }

  /** Layer lines are the ones with progress or the usual per-layer states. */
  private isLayerStatus(event: PullEvent): boolean {
    return (
      event.progressDetail !== undefined ||
      /^(Pulling fs layer|Waiting|Downloading|Verifying Checksum|Download complete|Extracting|Pull complete|Already exists)/.test(
        event.status ?? '',
      )
    );
  }

  private message(text: string): void {
    if (this.tty && this.drawn > 0) {
      // Keep the layer block at the bottom: move it below the new message.
      this.out.write(`\x1b[${this.drawn}A\x1b[J`);
      this.drawn = 0;
      this.out.write(text + '\n');
      this.redraw();
      return;
    }
    this.out.write(text + '\n');
  }

  private redraw(): void {
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const line of this.lines.values()) text += `\x1b[2K${line}\n`;
    this.drawn = this.lines.size;
    this.out.write(text);
  }
}

/** Splits a stream of concatenated/newline-separated JSON objects into events. */
export class JsonLines {
  private rest = '';

  push(chunk: string): PullEvent[] {
    this.rest += chunk;
    const parts = this.rest.split('\n');
    this.rest = parts.pop() ?? '';
    return parts.flatMap(parseEvent);
  }

  end(): PullEvent[] {
    const last = this.rest;
    this.rest = '';
    return parseEvent(last);
  }
}

/** One event, or none for a blank, garbled or malformed line (progress is best effort). */
function parseEvent(line: string): PullEvent[] {
  if (line.trim() === '') return [];
  try {
    return [readPullEvent(shape.parseJson(line))];
  } catch (err) {
    if (err instanceof shape.ShapeError) return [];
    throw err;
  }
}

/** The engine's JSON message (docker/docker pkg/jsonmessage), the fields a pull display uses. */
export function readPullEvent(json: unknown): PullEvent {
  const f = new shape.Fields(json);
  const event: PullEvent = {};
  for (const key of ['status', 'id', 'progress', 'error'] as const) {
    const value = f.optional(key, shape.string);
    if (value !== undefined) event[key] = value;
  }
  const detail = f.fields('progressDetail');
  if (detail) {
    event.progressDetail = {};
    const current = detail.optional('current', shape.size);
    const total = detail.optional('total', shape.size);
    if (current !== undefined) event.progressDetail.current = current;
    if (total !== undefined) event.progressDetail.total = total;
  }
  const errorDetail = f.fields('errorDetail');
  if (errorDetail) {
    const message = errorDetail.optional('message', shape.string);
    event.errorDetail = message === undefined ? {} : { message };
  }
  return event;
}

export async function imageExists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    if (engineStatus(err) === 404) return false;
    throw err;
  }
}

/** Pulls image unless the engine has it. Fails with one line naming the image. */
export async function ensureImage(docker: Docker, image: string, progress: ProgressSink, signal: AbortSignal): Promise<void> {
  if (await imageExists(docker, image)) return;
  progress.write(`Pulling ${image} (not on this engine yet)\n`);
  await pullImage(docker, image, progress, signal);
}

/** Layers a pull fetched, and layers the engine had already. */
export interface PulledLayers {
  downloaded: number;
  present: number;
}

/** Pulls image (the engine's platform), showing progress. Fails with one line naming the image. */
export async function pullImage(docker: Docker, image: string, progress: ProgressSink, signal: AbortSignal): Promise<PulledLayers> {
  const fail = (why: string, cause?: unknown): ResourceError => new ResourceError(`cannot pull the image ${image}: ${why}`, { cause });
  const layers = { downloaded: new Set<string>(), present: new Set<string>() };
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(image, { abortSignal: signal });
  } catch (err) {
    if (signal.aborted) throw new InterruptedError();
    throw fail(engineErrorMessage(err), err);
  }
  const display = new PullProgress(progress);
  const parser = new JsonLines();
  let failure: string | undefined;
  const handle = (events: PullEvent[]): void => {
    for (const event of events) {
      if (event.error) failure ??= event.errorDetail?.message ?? event.error;
      else display.update(event);
      if (event.id && event.status === 'Pull complete') layers.downloaded.add(event.id);
      if (event.id && event.status === 'Already exists') layers.present.add(event.id);
    }
  };
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer | string) => handle(parser.push(chunk.toString())));
    stream.on('end', () => {
      handle(parser.end());
      resolve();
    });
    stream.on('error', (err: Error) => reject(err));
  }).catch((err: unknown) => {
    if (signal.aborted) throw new InterruptedError();
    throw fail(engineErrorMessage(err), err);
  });
  if (failure !== undefined) throw fail(failure.replace(/\s+/g, ' ').trim());
  if (!(await imageExists(docker, image))) throw fail('the engine reported no error but does not have it');
  return { downloaded: layers.downloaded.size, present: layers.present.size };
}
