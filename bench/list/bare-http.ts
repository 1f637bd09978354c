// The same reference as bare.ts, with Node's own http (what lsi's client is built on since
// it left undici): the very requests lsi made ("METHOD URL" per line in FILE), 16 at a
// time over a keep-alive agent of 16 sockets, bodies read and dropped.
//
//   node_modules/.bin/node bench/list/bare-http.ts FILE   -> prints {"requests":N}
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

const file = process.argv[2];
if (!file) {
  console.error('usage: bare-http.ts FILE');
  process.exit(2);
}
const lines = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => l.split(' ') as [string, string]);
const ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json';
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
let next = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next < lines.length) {
      const [method, url] = lines[next++]!;
      await new Promise<void>((resolve, reject) => {
        const req = request(url, { method, agent, headers: { accept: ACCEPT } }, (res) => {
          res.on('data', () => {});
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${url}: ${res.statusCode}`))));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
    }
  }),
);
agent.destroy();
console.log(JSON.stringify({ requests: lines.length }));
