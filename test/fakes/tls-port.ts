// One loopback port speaking TLS to TLS clients and answering plain HTTP the way Go's
// net/http (the registry) does on a TLS port: 400 "Client sent an HTTP request to an
// HTTPS server." A TLS handshake (first byte 0x16) is piped to an HTTPS server; anything
// else is answered by that plain HTTP server.
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type AddressInfo, type Server } from 'node:net';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The port on 127.0.0.1, and close() for a teardown. */
export async function tlsRegistryPort(
  tls: { cert: string; key: string },
  handler: RequestListener,
): Promise<{ port: number; close(): void }> {
  const https = createHttpsServer({ cert: tls.cert, key: tls.key }, handler);
  const httpsPort = await listen(https);
  const http = createHttpServer((_req, res) => {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('Client sent an HTTP request to an HTTPS server.\n');
  });
  const sniff = createNetServer((socket) => {
    socket.once('data', (first) => {
      if (first[0] === 0x16) {
        const upstream = connect(httpsPort, '127.0.0.1');
        upstream.write(first);
        socket.pipe(upstream).pipe(socket);
        socket.on('error', () => upstream.destroy());
        upstream.on('error', () => socket.destroy());
      } else {
        socket.pause();
        socket.unshift(first);
        http.emit('connection', socket);
        socket.resume();
      }
    });
  });
  const port = await listen(sniff);
  return {
    port,
    close: () => {
      sniff.close();
      https.close();
    },
  };
}
