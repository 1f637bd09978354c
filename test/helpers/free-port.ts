// The one free-port helper of the tests: a loopback TCP port that was free a moment ago
// (a registry to start there, or a port nothing listens on, refusing every connection).
import { createServer } from 'node:net';

/** A TCP port that was free a moment ago, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}
