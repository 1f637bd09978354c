// A reference point between lsi and the floor: the very requests lsi made (one
// "METHOD URL" per line in FILE, taken from its --debug output), fetched by a bare undici loop with the
// same concurrency (16) and keep-alive pool, bodies read and dropped: no parsing, no
// digest checks, no process start of a single executable. What is left between this and
// lsi is lsi's own work; between this and the floor, Node's HTTP client's CPU, which
// competes with the registry for the same cores.
//
//   node_modules/.bin/node bench/list/bare.ts FILE   -> prints {"requests":N}
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

const file = process.argv[2];
if (!file) {
  console.error('usage: bare.ts FILE');
  process.exit(2);
}
const lines = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => l.split(' ') as [string, string]);
const ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json';
const agent = new Agent({ connections: 16 });
let next = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next < lines.length) {
      const [method, url] = lines[next++]!;
      const res = await request(url, { method: method as 'GET' | 'HEAD', dispatcher: agent, headers: { accept: ACCEPT } });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
    }
  }),
);
await agent.close();
console.log(JSON.stringify({ requests: lines.length }));
