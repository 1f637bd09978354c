// Preloaded (node --import) by test/cli/unfinished.test.ts: every connection node:net makes
// takes what is written and never answers, holding nothing open (no handle, no timer), so a
// command waiting on the engine waits on nothing at all: Node's event loop empties while
// main has not finished.
import net from 'node:net';
import { Duplex } from 'node:stream';

net.createConnection = () => {
  const socket = new Duplex({ read() {}, write: (_chunk, _encoding, done) => done() });
  for (const method of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref']) socket[method] = () => socket;
  return socket;
};
