// Pieces of a fake Docker engine for unit tests that drive dockerode-shaped objects.
import { PassThrough } from 'node:stream';

/** One frame of the engine's multiplexed output: stream 1 stdout, 2 stderr. */
export function engineFrame(stream: number, text: string): Buffer {
  const data = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** What container.exec() resolves to: start() streams the output as frames, inspect() gives the exit code. */
export function fakeExec(result: { exitCode: number; stdout?: string; stderr?: string }) {
  return {
    start: async () => {
      const stream = new PassThrough();
      stream.end(Buffer.concat([engineFrame(1, result.stdout ?? ''), engineFrame(2, result.stderr ?? '')]));
      return stream;
    },
    inspect: async () => ({ Running: false, ExitCode: result.exitCode }),
  };
}

/** Inspect data of a running registry container of ours, jindr-5001 on localhost:5001. */
export function registryDetails(options: { image: 'registry:2' | 'registry:3'; env?: string[]; mounts?: unknown[] }) {
  const config = options.image === 'registry:2' ? '/etc/docker/registry/config.yml' : '/etc/distribution/config.yml';
  return {
    Id: 'abc',
    Name: '/jindr-5001',
    Created: '2026-01-01T00:00:00Z',
    Image: 'sha256:img',
    State: { Status: 'running', Running: true },
    Config: {
      Image: options.image,
      Cmd: [config],
      Entrypoint: ['/entrypoint.sh'],
      Labels: { 'jindr.registry': 'localhost:5001' },
      Env: options.env ?? [],
      Tty: false,
    },
    HostConfig: { PortBindings: { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '5001' }] } },
    NetworkSettings: { Ports: { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '5001' }] } },
    Mounts: options.mounts ?? [],
  };
}
