// The least a client can do for lsi's requests: the very requests ("METHOD URL" per line
// in FILE), 16 at a time over 16 kept-alive sockets of node:net, one request at a time on
// each (as lsi's transport, src/registry/http1.ts, sends them), each answer framed by its
// Content-Length and dropped. No parsing, checking, caching or output: what is left
// between this and ab's floor is the client's socket work on the same two cores.
//
//   node_modules/.bin/node bench/list/bare-net.ts FILE   -> prints {"requests":N}
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

const file = process.argv[2];
if (!file) {
  console.error('usage: bare-net.ts FILE');
  process.exit(2);
}
const lines = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => l.split(' ') as [string, string]);
const ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json';
const first = new URL(lines[0]![1]);
let next = 0;
let done = 0;

await Promise.all(
  Array.from(
    { length: 16 },
    () =>
      new Promise<void>((resolve, reject) => {
        const socket = connect(Number(first.port), first.hostname);
        socket.setNoDelay(true);
        let method = '';
        let pending: Buffer = Buffer.alloc(0);
        const send = (): void => {
          if (next >= lines.length) {
            socket.end();
            resolve();
            return;
          }
          const [m, url] = lines[next++]!;
          const u = new URL(url);
          method = m;
          socket.write(`${m} ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\naccept: ${ACCEPT}\r\n\r\n`, 'latin1');
        };
        socket.on('connect', send);
        socket.on('error', reject);
        socket.on('data', (chunk: Buffer) => {
          pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
          const end = pending.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = pending.toString('latin1', 0, end);
          let length = method === 'HEAD' ? 0 : Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
          if (Number.isNaN(length) && /\r\ntransfer-encoding: *chunked/i.test(head)) {
            // A chunked body (a big catalog page): whole at its last chunk.
            const last = pending.indexOf('\r\n0\r\n\r\n', end);
            if (last < 0) return;
            length = last + 7 - (end + 4);
          }
          if (Number.isNaN(length)) return reject(new Error(`no Content-Length: ${head}`));
          if (pending.length < end + 4 + length) return;
          if (!head.startsWith('HTTP/1.1 200')) return reject(new Error(head.split('\r\n')[0]));
          pending = pending.subarray(end + 4 + length);
          done += 1;
          send();
        });
      }),
  ),
);
console.log(JSON.stringify({ requests: done }));
