// Image configs for the page: created, entrypoint, cmd, env, labels, history. A config
// is content addressed, so one read serves every repository and every later request.
import { isJsonObject, parseJson } from '../json-shape.ts';
import { CONFIG_LIMIT, pullScope, type RegistryClient } from '../registry/client.ts';
import { digestOf, type Descriptor } from '../registry/manifest.ts';
import type { ConfigView, HistoryStep } from './api-types.ts';

/** Configs bigger than this are not images' configs. */
const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
/** Kept configs; the cache starts over past this. */
const MAX_CACHED = 5000;

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** What the page shows of a config's JSON; undefined for bytes that are not an image config. */
export function configView(bytes: Buffer): ConfigView | undefined {
  let json: unknown;
  try {
    json = parseJson(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isJsonObject(json)) return undefined;
  const c = json;
  const run = (typeof c.config === 'object' && c.config !== null ? c.config : {}) as Record<string, unknown>;
  const labels: Record<string, string> = {};
  if (typeof run.Labels === 'object' && run.Labels !== null) {
    for (const [k, v] of Object.entries(run.Labels)) if (typeof v === 'string') labels[k] = v;
  }
  const history: HistoryStep[] = (Array.isArray(c.history) ? c.history : []).map((h: unknown) => {
    const step = (typeof h === 'object' && h !== null ? h : {}) as Record<string, unknown>;
    const out: HistoryStep = {};
    if (text(step.created)) out.created = step.created as string;
    if (text(step.created_by)) out.createdBy = step.created_by as string;
    if (text(step.comment)) out.comment = step.comment as string;
    if (step.empty_layer === true) out.emptyLayer = true;
    return out;
  });
  const view: ConfigView = { env: strings(run.Env) ?? [], labels, history };
  if (text(c.created)) view.created = c.created as string;
  const entrypoint = strings(run.Entrypoint);
  if (entrypoint) view.entrypoint = entrypoint;
  const cmd = strings(run.Cmd);
  if (cmd) view.cmd = cmd;
  if (text(run.WorkingDir)) view.workingDir = run.WorkingDir as string;
  if (text(run.User)) view.user = run.User as string;
  return view;
}

export class ConfigCache {
  private readonly client: RegistryClient;
  private readonly cache = new Map<string, Promise<ConfigView | undefined>>();

  constructor(client: RegistryClient) {
    this.client = client;
  }

  /** The config a manifest names; undefined when it is missing, too big, corrupt or not an image's. */
  get(repository: string, config: Descriptor, signal?: AbortSignal): Promise<ConfigView | undefined> {
    let pending = this.cache.get(config.digest);
    if (!pending) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      pending = this.read(repository, config, signal);
      this.cache.set(config.digest, pending);
      // A failed read (the registry restarting for gc) is tried again next time.
      pending.catch(() => this.cache.delete(config.digest));
    }
    return pending;
  }

  private async read(repository: string, config: Descriptor, signal?: AbortSignal): Promise<ConfigView | undefined> {
    if (config.size > MAX_CONFIG_BYTES) return undefined;
    const response = await this.client.request({
      path: `/v2/${repository}/blobs/${config.digest}`,
      scopes: [pullScope(repository)],
      accept: [404],
      limit: CONFIG_LIMIT,
      signal,
    });
    if (response.status === 404) return undefined;
    if (digestOf(response.body, config.digest.startsWith('sha512:') ? 'sha512' : 'sha256') !== config.digest) return undefined;
    return configView(response.body);
  }
}
