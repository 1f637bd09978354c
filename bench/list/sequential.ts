// The predecessor's way, as a baseline: the requests `lsi` needs, made one at a time
// (await each before the next) with Node's fetch over its default keep-alive pool.
//
//   node_modules/.bin/node bench/list/sequential.ts HOST:PORT   -> prints {"requests":N,"rows":M}
const host = process.argv[2];
if (!host) {
  console.error('usage: sequential.ts HOST:PORT');
  process.exit(2);
}
const base = `http://${host}`;
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

let requests = 0;
async function get(path: string, accept?: string): Promise<Response> {
  requests += 1;
  const res = await fetch(base + path, accept ? { headers: { accept } } : {});
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res;
}

function next(res: Response): string | undefined {
  const m = /<([^>]+)>;\s*rel="?next"?/.exec(res.headers.get('link') ?? '');
  return m ? new URL(m[1]!, base).pathname + new URL(m[1]!, base).search : undefined;
}

const repos: string[] = [];
for (let path: string | undefined = '/v2/_catalog?n=1000'; path;) {
  const res = await get(path);
  repos.push(...((await res.json()) as { repositories: string[] }).repositories);
  path = next(res);
}
const configs = new Set<string>();
let rows = 0;
for (const repo of repos) {
  const res = await get(`/v2/${repo}/tags/list?n=1000`);
  const tags = ((await res.json()) as { tags: string[] | null }).tags ?? [];
  for (const tag of tags) {
    const manifest = (await (await get(`/v2/${repo}/manifests/${tag}`, ACCEPT)).json()) as { config?: { digest: string } };
    const config = manifest.config?.digest;
    if (config && !configs.has(config)) {
      configs.add(config);
      await (await get(`/v2/${repo}/blobs/${config}`)).arrayBuffer();
    }
    rows += 1;
  }
}
console.log(JSON.stringify({ requests, rows }));
